variable "name" {
  description = "Name prefix, e.g. fraud-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic (each must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_emails must be e-mail addresses."
  }
}

variable "msk_cluster_name" {
  description = "MSK cluster whose consumer lag is watched."
  type        = string
}

variable "consumer_group" {
  description = "The scorer's consumer group."
  type        = string
}

variable "input_topic" {
  description = "Topic the scorer consumes."
  type        = string
  default     = "payments.transactions"
}

variable "scorer_metrics" {
  description = "The scorer's Prometheus metrics the alarms read (names from libs/observability/src/scorer-metrics.ts), and where the ADOT collector publishes the CloudWatch ones: namespace and service dimension."
  type = object({
    namespace           = optional(string, "FraudScorer")
    service             = optional(string, "fraud-scorer")
    dlq_records         = optional(string, "fraud_dlq_total")
    scored              = optional(string, "fraud_transactions_scored_total")
    dependency_failures = optional(string, "fraud_dependency_retries_total")
    batches             = optional(string, "fraud_batch_size")
    latency_histogram   = optional(string, "fraud_e2e_latency_seconds")
    latency_from        = optional(string, "append_time")
  })
  default = {}
}

variable "thresholds" {
  description = "Alarm thresholds; p99 latency is measured from the broker append time to the produced decision."
  type = object({
    consumer_lag_records = optional(number, 100000)
    dlq_records_per_5min = optional(number, 50)
    error_rate_percent   = optional(number, 5)
    p99_latency_seconds  = optional(number, 0.25)
  })
  default = {}

  validation {
    condition     = var.thresholds.consumer_lag_records > 0 && var.thresholds.dlq_records_per_5min >= 0 && var.thresholds.error_rate_percent > 0 && var.thresholds.error_rate_percent <= 100 && var.thresholds.p99_latency_seconds > 0
    error_message = "thresholds must be positive and error_rate_percent at most 100."
  }
}

variable "alarm_when_idle" {
  description = "Alarm when the scorer scores nothing for 10 minutes; off for environments without steady traffic."
  type        = bool
  default     = true
}

variable "grafana_authentication_providers" {
  description = "Sign-in for Amazon Managed Grafana: AWS_SSO needs IAM Identity Center in the account, SAML an identity provider."
  type        = list(string)
  default     = ["AWS_SSO"]

  validation {
    condition     = length(var.grafana_authentication_providers) > 0 && alltrue([for p in var.grafana_authentication_providers : contains(["AWS_SSO", "SAML"], p)])
    error_message = "grafana_authentication_providers must list AWS_SSO and/or SAML."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
