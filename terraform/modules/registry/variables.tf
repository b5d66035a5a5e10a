variable "name" {
  description = "Name prefix, e.g. fraud-prod; the service is <name>-registry."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}$", var.name))
    error_message = "name must be 2-23 lower-case letters, digits or dashes (load balancer names are limited to 32 characters)."
  }
}

variable "image" {
  description = "Apicurio Registry 3.x image that has the aws-msk-iam-auth library on its class path (see terraform/README.md)."
  type        = string

  validation {
    condition     = !endswith(var.image, ":latest") && can(regex("(:[A-Za-z0-9_.-]+|@sha256:[a-f0-9]{64})$", var.image))
    error_message = "image must carry an explicit tag or digest, not :latest."
  }
}

variable "image_repository_arns" {
  description = "ECR repositories the execution role may pull the image from."
  type        = list(string)
}

variable "cluster_arn" {
  description = "ECS cluster to run in (the scorer's)."
  type        = string
}

variable "desired_count" {
  description = "Registry tasks; two spread over zones keep schema lookups of starting scorers working through a zone loss."
  type        = number
  default     = 2

  validation {
    condition     = var.desired_count >= 1 && var.desired_count <= 10
    error_message = "desired_count must be between 1 and 10."
  }
}

variable "task_cpu" {
  description = "Task CPU units."
  type        = number
  default     = 512
}

variable "task_memory_mib" {
  description = "Task memory in MiB."
  type        = number
  default     = 1024
}

variable "vpc_id" {
  description = "VPC of the load balancer's target group."
  type        = string
}

variable "subnet_ids" {
  description = "Private task subnets (tasks and the internal load balancer)."
  type        = list(string)
}

variable "alb_security_group_id" {
  description = "Security group of the internal load balancer."
  type        = string
}

variable "task_security_group_id" {
  description = "Security group of the registry tasks."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for an HTTPS listener; null serves plain HTTP on port 80, reachable only from the scorer and operator security groups inside the VPC."
  type        = string
  default     = null
}

variable "hostname" {
  description = "DNS name clients use, e.g. a private hosted zone record aliasing the load balancer; it must match certificate_arn. null uses the load balancer's own name."
  type        = string
  default     = null
}

variable "kafka" {
  description = "MSK cluster for the KafkaSQL storage."
  type = object({
    bootstrap_brokers_sasl_iam = string
    cluster_arn                = string
    topic_arn_prefix           = string
    group_arn_prefix           = string
    journal_topic              = optional(string, "kafkasql-journal")
    snapshots_topic            = optional(string, "kafkasql-snapshots")
    consumer_group_prefix      = optional(string, "fraud-registry-")
  })
}

variable "log_group_name" {
  description = "Log group to create for the registry tasks."
  type        = string
}

variable "log_kms_key_arn" {
  description = "KMS key for the log group (its policy must allow CloudWatch Logs for this group)."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the registry log group."
  type        = number
  default     = 30
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
