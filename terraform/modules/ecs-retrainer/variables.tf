variable "name" {
  description = "Deployment name; prefixes every resource."
  type        = string
}

variable "cluster_arn" {
  description = "ECS cluster the scheduled task runs in (the scorer's)."
  type        = string
}

variable "image" {
  description = "Image with the repository and the trainer's Python venv (runs npm run retrain / gate)."
  type        = string
}

variable "ecr_repository_arn" {
  description = "ECR repository of the image (the execution role may pull only from it)."
  type        = string
}

variable "model_sync_image" {
  description = "Image with the AWS CLI that downloads the models before and uploads them after the run."
  type        = string
}

variable "pull_through_repository_arn_patterns" {
  description = "ECR pull-through cache repositories the AWS CLI image comes from."
  type        = list(string)
  default     = []
}

variable "schedule_expression" {
  description = "EventBridge Scheduler expression: how often the job checks its triggers."
  type        = string
  default     = "rate(1 hour)"
}

variable "retrain_args" {
  description = "Options of npm run retrain (the triggers: a retrain runs only when one fires)."
  type        = list(string)
  default     = ["--if-triggered", "--max-age", "7d", "--min-new-labels", "5000", "--from", "now-30d", "--maturity", "30d"]
}

variable "gate_args" {
  description = "Options of npm run gate (--promote makes promotion automatic)."
  type        = list(string)
  default     = ["--promote", "--if-challenger", "--maturity", "30d"]
}

variable "task_cpu" {
  description = "Fargate CPU units of the job (training is CPU-bound)."
  type        = number
  default     = 2048
}

variable "task_memory_mib" {
  description = "Fargate memory of the job; the dataset and the XGBoost matrix live in memory."
  type        = number
  default     = 8192
}

variable "subnet_ids" {
  description = "Private subnets of the task."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the task (egress to MSK, the registry, S3 and Prometheus only)."
  type        = string
}

variable "environment" {
  description = "Kafka, registry and Prometheus settings (KAFKA_BROKERS, KAFKA_SASL_MECHANISM, SCHEMA_REGISTRY_URL, ...)."
  type        = map(string)
}

variable "kafka" {
  description = "MSK cluster and the topics the job reads, for the task role's least-privilege policy."
  type = object({
    cluster_arn      = string
    topic_arn_prefix = string
    group_arn_prefix = string
    decisions_topic  = optional(string, "fraud.decisions")
    labels_topic     = optional(string, "fraud.labels")
    # services/retrainer reads with throwaway groups named reader-<pid>-<time>-<random>.
    reader_group_prefix = optional(string, "reader-")
  })

  validation {
    condition     = !strcontains(var.kafka.decisions_topic, "*") && !strcontains(var.kafka.labels_topic, "*") && length(var.kafka.reader_group_prefix) >= 3
    error_message = "Topics must be exact names and the reader group prefix at least 3 characters."
  }
}

variable "model" {
  description = "Where the model directories live (the scorers' models): bucket ARN, key prefix, KMS key."
  type = object({
    bucket_arn  = string
    prefix      = optional(string, "models/")
    kms_key_arn = string
  })
}

variable "log_kms_key_arn" {
  description = "KMS key of the job's log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the job's logs."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
