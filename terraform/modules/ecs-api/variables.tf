variable "name" {
  description = "Name prefix, e.g. fraud-prod; the service is <name>-api."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,24}$", var.name))
    error_message = "name must be 2-25 lower-case letters, digits or dashes, starting with a letter (load balancer names are at most 32 characters)."
  }
}

variable "image" {
  description = "The scorer image (it carries services/api too) with an immutable tag or digest."
  type        = string

  validation {
    condition     = can(regex("^[^:@]+(:[A-Za-z0-9_.-]+|@sha256:[a-f0-9]{64})$", var.image)) && !endswith(var.image, ":latest")
    error_message = "image must carry an explicit tag or digest, not :latest, so that a rollback redeploys the same bits."
  }
}

variable "ecr_repository_arn" {
  description = "Repository the image comes from; the execution role may pull only from it and the pull-through caches."
  type        = string
}

variable "pull_through_repository_arn_patterns" {
  description = "ARN patterns of the ECR pull-through cache repositories (for the model-sync image)."
  type        = list(string)
}

variable "model_sync_image" {
  description = "AWS CLI image of the model-sync sidecar (the scorer's), normally through the ECR pull-through cache."
  type        = string
}

variable "cluster_arn" {
  description = "ECS cluster to run in (the scorer's)."
  type        = string
}

variable "cluster_name" {
  description = "Name of that cluster (autoscaling addresses services by cluster and service name)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the target group."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the tasks and the internal load balancer."
  type        = list(string)
}

variable "alb_security_group_id" {
  description = "Security group of the internal load balancer (network module: api_alb)."
  type        = string
}

variable "task_security_group_id" {
  description = "Security group of the API tasks (network module: api)."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for an HTTPS listener; null serves HTTP inside the VPC (dev only: keys would cross the VPC in clear text)."
  type        = string
  default     = null
}

variable "hostname" {
  description = "Private DNS name of the API matching the certificate; null uses the load balancer's name."
  type        = string
  default     = null
}

variable "cpu_architecture" {
  description = "X86_64 or ARM64."
  type        = string
  default     = "X86_64"
}

variable "task_cpu" {
  description = "Task CPU units (1024 = 1 vCPU)."
  type        = number
  default     = 1024
}

variable "task_memory_mib" {
  description = "Task memory in MiB."
  type        = number
  default     = 2048
}

variable "min_tasks" {
  description = "Autoscaling floor; two or more keep the API up through a task or zone failure."
  type        = number
  default     = 2

  validation {
    condition     = var.min_tasks >= 1 && var.min_tasks <= var.max_tasks
    error_message = "min_tasks must be at least 1 and not above max_tasks."
  }
}

variable "max_tasks" {
  description = "Autoscaling ceiling."
  type        = number
  default     = 10

  validation {
    condition     = var.max_tasks >= 1 && var.max_tasks <= 100
    error_message = "max_tasks must be between 1 and 100."
  }
}

variable "requests_per_target_per_minute" {
  description = "ALBRequestCountPerTarget the target tracking policy aims for (requests per task per minute)."
  type        = number
  default     = 60000

  validation {
    condition     = var.requests_per_target_per_minute >= 100
    error_message = "requests_per_target_per_minute must be at least 100."
  }
}

variable "max_batch_size" {
  description = "API_MAX_BATCH_SIZE: requests per micro-batch (1 = micro-batching off)."
  type        = number
  default     = 64

  validation {
    condition     = var.max_batch_size >= 1 && var.max_batch_size <= 1024
    error_message = "max_batch_size must be 1..1024."
  }
}

variable "request_deadline_ms" {
  description = "API_REQUEST_DEADLINE_MS: a request not answered by then gets 503 deadline_exceeded."
  type        = number
  default     = 250

  validation {
    condition     = var.request_deadline_ms >= 5 && var.request_deadline_ms <= 60000
    error_message = "request_deadline_ms must be 5..60000."
  }
}

variable "environment" {
  description = "Plain settings of the API container: the scorer's Redis settings (REDIS_URL, REDIS_CLUSTER, REDIS_KEY_PREFIX ...). Never secrets."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.environment) : !can(regex("(?i)(password|secret|token|credential|private_key|api_keys)", k))])
    error_message = "environment must not hold secrets (a key names a password, secret, token, credential or API_KEYS); pass them through secrets."
  }
}

variable "secrets" {
  description = "More container secrets (variable name => Secrets Manager ARN), e.g. REDIS_PASSWORD; API_KEYS is the module's own."
  type        = map(string)
  default     = {}

  validation {
    condition     = !contains(keys(var.secrets), "API_KEYS")
    error_message = "API_KEYS comes from the module's own secret."
  }
}

variable "secret_kms_key_arns" {
  description = "Keys that encrypt var.secrets."
  type        = list(string)
  default     = []
}

variable "model" {
  description = "The scorer's model bucket: ARN, key prefix and KMS key."
  type = object({
    bucket_arn  = string
    prefix      = optional(string, "models/")
    kms_key_arn = string
  })
}

variable "model_sync_interval_seconds" {
  description = "How often the sidecar mirrors the model bucket (use the scorer's value)."
  type        = number
  default     = 60
}

variable "log_kms_key_arn" {
  description = "KMS key of log groups under /ecs/<name>/ (the scorer module's logs key)."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the API's log group."
  type        = number
  default     = 30
}

variable "secret_recovery_window_days" {
  description = "Recovery window of the API keys secret after deletion (0 = delete at once, dev only)."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or 7..30."
  }
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
