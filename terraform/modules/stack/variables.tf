variable "name" {
  description = "Deployment name, e.g. fraud-prod: the prefix of every resource."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}$", var.name))
    error_message = "name must be 2-23 lower-case letters, digits or dashes, starting with a letter (load balancer names <name>-registry are at most 32 characters)."
  }
}

variable "images" {
  description = "Image tags in this environment's ECR repositories (immutable, e.g. a git SHA; retrainer_tag null = no scheduled retrainer) and the versions of the sidecar images pulled through the ECR cache of public.ecr.aws."
  type = object({
    scorer_tag        = string
    registry_tag      = string
    retrainer_tag     = optional(string)
    collector_version = optional(string, "v0.43.3")
    aws_cli_version   = optional(string, "2.27.26")
  })

  validation {
    condition = alltrue([
      for tag in compact([var.images.scorer_tag, var.images.registry_tag, var.images.retrainer_tag]) :
      can(regex("^[A-Za-z0-9_.-]{1,128}$", tag)) && tag != "latest"
    ])
    error_message = "Image tags must be concrete tags (not latest): scorer_image_tag, registry_image_tag and retrainer_image_tag."
  }
}

variable "network" {
  description = "VPC CIDR, NAT gateways (0 removes them), zones with interface endpoints, flow log retention."
  type = object({
    vpc_cidr                    = string
    nat_gateway_count           = number
    interface_endpoint_az_count = number
    flow_log_retention_days     = number
  })
}

variable "msk" {
  description = "Broker instance type and storage (GiB per broker, autoscaling ceiling)."
  type = object({
    instance_type       = string
    volume_size_gib     = number
    max_volume_size_gib = number
  })
}

variable "redis" {
  description = "Node type, shards, replicas per shard and snapshot retention of the feature store."
  type = object({
    node_type               = string
    shard_count             = number
    replicas_per_shard      = optional(number, 1)
    snapshot_retention_days = number
  })
}

variable "scorer" {
  description = "Scorer task size (CPU units shared with its sidecars, MiB), task count bounds (max_tasks <= partitions of the input topic), CPU architecture (ARM64 is about 20% cheaper), the CPU target and the consumer lag above which tasks are added (three times it adds three at once)."
  type = object({
    task_cpu              = number
    task_memory_mib       = number
    min_tasks             = number
    max_tasks             = number
    cpu_architecture      = optional(string, "X86_64")
    cpu_target_percent    = optional(number, 60)
    scale_out_lag_records = optional(number, 50000)
  })

  validation {
    condition     = var.scorer.cpu_target_percent >= 20 && var.scorer.cpu_target_percent <= 90 && var.scorer.scale_out_lag_records > 0
    error_message = "scorer.cpu_target_percent must be between 20 and 90 and scorer.scale_out_lag_records positive."
  }
}

variable "api" {
  description = "Scoring API task size and count bounds, its internal HTTPS listener (certificate null = HTTP inside the VPC) and private DNS name, the request rate per task the scaling aims for, API_MAX_BATCH_SIZE (1 = micro-batching off) and API_REQUEST_DEADLINE_MS."
  type = object({
    task_cpu                       = number
    task_memory_mib                = number
    min_tasks                      = number
    max_tasks                      = number
    cpu_architecture               = optional(string, "X86_64")
    certificate_arn                = optional(string)
    hostname                       = optional(string)
    requests_per_target_per_minute = optional(number, 60000)
    max_batch_size                 = optional(number, 64)
    request_deadline_ms            = optional(number, 250)
  })

  validation {
    condition     = var.api.max_tasks <= 100 && var.api.requests_per_target_per_minute >= 100
    error_message = "api.max_tasks must be at most 100 and api.requests_per_target_per_minute at least 100."
  }

  validation {
    condition     = var.api.max_batch_size >= 1 && var.api.max_batch_size <= 1024 && var.api.request_deadline_ms >= 5 && var.api.request_deadline_ms <= 60000
    error_message = "api.max_batch_size must be 1..1024 and api.request_deadline_ms 5..60000."
  }
}

variable "registry" {
  description = "Schema registry task count, its internal HTTPS listener (certificate null = HTTP inside the VPC) and private DNS name."
  type = object({
    task_count      = number
    certificate_arn = optional(string)
    hostname        = optional(string)
  })
}

variable "model_bucket_name" {
  description = "Name of the model bucket; null derives a unique one from the account id."
  type        = string
  default     = null
}

variable "alarm_emails" {
  description = "Addresses that receive the alarms."
  type        = list(string)
  default     = []
}

variable "alarm_when_idle" {
  description = "Alarm when nothing is scored for 10 minutes (off without steady traffic)."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Protect the load balancers from deletion."
  type        = bool
  default     = true
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

variable "tags" {
  description = "Tags of the environment (the provider's default_tags carry them everywhere; the retrainer also sets them)."
  type        = map(string)
  default     = {}
}
