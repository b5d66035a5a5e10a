variable "name" {
  description = "Name prefix, e.g. fraud-prod; the cluster is <name> and the service <name>-scorer."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "image" {
  description = "Scorer image with an immutable tag, e.g. <account>.dkr.ecr.us-east-1.amazonaws.com/fraud-scorer:1.4.2."
  type        = string

  validation {
    condition     = can(regex("^[^:@]+(:[A-Za-z0-9_.-]+|@sha256:[a-f0-9]{64})$", var.image)) && !endswith(var.image, ":latest")
    error_message = "image must carry an explicit tag or digest, not :latest, so that a rollback redeploys the same bits."
  }
}

variable "ecr_repository_arn" {
  description = "Repository the scorer image comes from; the execution role may pull only from it and the pull-through caches."
  type        = string
}

variable "pull_through_repository_arn_patterns" {
  description = "ARN patterns of the ECR pull-through cache repositories (for the collector image)."
  type        = list(string)
}

variable "collector_image" {
  description = "AWS Distro for OpenTelemetry collector image, normally through the ECR pull-through cache of public.ecr.aws."
  type        = string

  validation {
    condition     = !endswith(var.collector_image, ":latest") && can(regex(":[A-Za-z0-9_.-]+$", var.collector_image))
    error_message = "collector_image must carry an explicit version tag."
  }
}

variable "cpu_architecture" {
  description = "X86_64 or ARM64 (Graviton, about 20% cheaper per vCPU; onnxruntime-node ships both)."
  type        = string
  default     = "X86_64"
}

variable "task_cpu" {
  description = "Task CPU units (1024 = 1 vCPU), shared by the scorer and its collector."
  type        = number
  default     = 1024
}

variable "task_memory_mib" {
  description = "Task memory in MiB."
  type        = number
  default     = 2048
}

variable "partition_count" {
  description = "Partitions of the input topic: tasks beyond it would sit idle in the consumer group."
  type        = number

  validation {
    condition     = var.partition_count >= 1
    error_message = "partition_count must be at least 1."
  }
}

variable "min_tasks" {
  description = "Autoscaling floor."
  type        = number
  default     = 2

  validation {
    condition     = var.min_tasks >= 1 && var.min_tasks <= var.max_tasks
    error_message = "min_tasks must be at least 1 and not above max_tasks."
  }
}

variable "max_tasks" {
  description = "Autoscaling ceiling; never above partition_count, since each consumer needs a partition."
  type        = number
  default     = 12

  validation {
    condition     = var.max_tasks >= 1 && var.max_tasks <= var.partition_count
    error_message = "max_tasks must be between 1 and partition_count: a consumer group cannot use more tasks than the topic has partitions."
  }
}

variable "cpu_target_percent" {
  description = "Average CPU the target tracking policy aims for."
  type        = number
  default     = 60

  validation {
    condition     = var.cpu_target_percent >= 20 && var.cpu_target_percent <= 90
    error_message = "cpu_target_percent must be between 20 and 90."
  }
}

variable "scale_out_lag_records" {
  description = "Consumer lag (SumOffsetLag) above which tasks are added; three times it adds three at once."
  type        = number
  default     = 50000

  validation {
    condition     = var.scale_out_lag_records > 0
    error_message = "scale_out_lag_records must be positive."
  }
}

variable "subnet_ids" {
  description = "Private task subnets."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the scorer tasks (from the network module)."
  type        = string
}

variable "environment" {
  description = "Plain settings of the scorer container (Kafka, Redis, registry ...). Never secrets: those go in secrets."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.environment) : !can(regex("(?i)(password|secret|token|credential|private_key)", k))])
    error_message = "environment must not hold secrets (a key names a password, secret, token or credential); pass them through secrets."
  }
}

variable "secrets" {
  description = "Container variable name => Secrets Manager secret ARN, resolved by ECS at task start."
  type        = map(string)
  default     = {}
}

variable "secret_kms_key_arns" {
  description = "Keys that encrypt the secrets (the execution role decrypts through Secrets Manager only)."
  type        = list(string)
  default     = []
}

variable "kafka" {
  description = "MSK cluster and the scorer's Kafka identities, for the task role's least-privilege policy."
  type = object({
    cluster_arn                 = string
    cluster_name                = string
    topic_arn_prefix            = string
    group_arn_prefix            = string
    transactional_id_arn_prefix = string
    input_topic                 = optional(string, "payments.transactions")
    output_topics               = optional(list(string), ["fraud.decisions", "fraud_alerts", "payments.transactions.dlq"])
    consumer_group              = optional(string, "fraud-scorer")
    transactional_id_prefix     = optional(string, "fraud-scorer")
  })

  validation {
    condition     = !strcontains(var.kafka.input_topic, "*") && alltrue([for t in var.kafka.output_topics : !strcontains(t, "*")]) && !strcontains(var.kafka.consumer_group, "*")
    error_message = "Topic and group names must be exact names, not wildcards."
  }

  validation {
    condition     = length(var.kafka.transactional_id_prefix) >= 3 && !strcontains(var.kafka.transactional_id_prefix, "*")
    error_message = "transactional_id_prefix must be at least 3 characters and hold no wildcard (the scorer appends -<topic>-<partition>)."
  }
}

variable "model" {
  description = "Where the model directories live: bucket ARN, key prefix (mirrored to the scorer's MODEL_REGISTRY_DIR) and the bucket's KMS key."
  type = object({
    bucket_arn  = string
    prefix      = optional(string, "models/")
    kms_key_arn = string
  })
}

variable "model_sync_image" {
  description = "AWS CLI image of the model-sync sidecar, normally through the ECR pull-through cache of public.ecr.aws."
  type        = string
}

variable "model_sync_interval_seconds" {
  description = "How often the sidecar mirrors the model bucket; a promotion reaches the scorer within this plus MODEL_POLL_INTERVAL_MS."
  type        = number
  default     = 60
}

variable "metrics" {
  description = "Where the collector sends the scorer's metrics: the Prometheus workspace and the CloudWatch contract of the alarms."
  type = object({
    prometheus_workspace_arn    = string
    prometheus_remote_write_url = string
    namespace                   = string
    service                     = string
    cloudwatch_metric_names     = list(string)
  })
}

variable "log_retention_days" {
  description = "Retention of the task and metric log groups."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
