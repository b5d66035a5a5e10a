variable "name" {
  description = "Replication group id, e.g. fraud-prod-features."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,39}$", var.name)) && !endswith(var.name, "-")
    error_message = "name must be 1-40 lower-case letters, digits or dashes, start with a letter and not end with a dash."
  }
}

variable "engine_version" {
  description = "Redis OSS engine version."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^7\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be a Redis 7 major.minor version such as 7.1 (the feature scripts need Redis 7)."
  }
}

variable "node_type" {
  description = "Cache node type."
  type        = string
  default     = "cache.m7g.large"

  validation {
    condition     = startswith(var.node_type, "cache.")
    error_message = "node_type must be an ElastiCache node type such as cache.m7g.large."
  }
}

variable "shard_count" {
  description = "Node groups (shards); the feature keys use hash tags per account, so they spread over shards."
  type        = number
  default     = 3

  validation {
    condition     = var.shard_count >= 1 && var.shard_count <= 500
    error_message = "shard_count must be between 1 and 500."
  }
}

variable "replicas_per_shard" {
  description = "Replicas per shard; at least one, in another zone, for automatic failover."
  type        = number
  default     = 1

  validation {
    condition     = var.replicas_per_shard >= 1 && var.replicas_per_shard <= 5
    error_message = "replicas_per_shard must be between 1 and 5: automatic failover and Multi-AZ need a replica."
  }
}

variable "subnet_ids" {
  description = "Private data subnets in three zones."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must span at least two zones for Multi-AZ."
  }
}

variable "security_group_id" {
  description = "Security group of the cache nodes (from the network module)."
  type        = string
}

variable "snapshot_retention_days" {
  description = "Days of automatic snapshots; the features can be rebuilt by replay, so this only shortens recovery."
  type        = number
  default     = 1

  validation {
    condition     = var.snapshot_retention_days >= 0 && var.snapshot_retention_days <= 35
    error_message = "snapshot_retention_days must be between 0 and 35."
  }
}

variable "log_retention_days" {
  description = "Retention of the slow log group."
  type        = number
  default     = 30
}

variable "secret_recovery_window_days" {
  description = "Days a deleted auth token secret can still be restored."
  type        = number
  default     = 7

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 (delete at once) or between 7 and 30."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
