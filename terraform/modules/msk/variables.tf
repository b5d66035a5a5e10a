variable "name" {
  description = "Name of the MSK cluster, e.g. fraud-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,63}$", var.name))
    error_message = "name must be 1-64 letters, digits or dashes, starting with a letter."
  }
}

variable "kafka_version" {
  description = "MSK Kafka version; the scorer is tested against 3.9.x."
  type        = string
  default     = "3.9.x"

  validation {
    condition     = can(regex("^3\\.9\\.", var.kafka_version))
    error_message = "kafka_version must be a 3.9 release (e.g. 3.9.x): the scorer and its tests pin Kafka 3.9."
  }
}

variable "broker_count" {
  description = "Number of brokers, one per zone."
  type        = number
  default     = 3

  validation {
    condition     = var.broker_count == 3
    error_message = "broker_count must be 3: one broker per zone, which replication factor 3 with min.insync.replicas 2 assumes."
  }
}

variable "instance_type" {
  description = "Broker instance type."
  type        = string
  default     = "kafka.m7g.large"

  validation {
    condition     = startswith(var.instance_type, "kafka.")
    error_message = "instance_type must be an MSK broker type such as kafka.m7g.large."
  }
}

variable "volume_size_gib" {
  description = "Initial EBS volume per broker; storage autoscaling grows it up to max_volume_size_gib."
  type        = number
  default     = 500

  validation {
    condition     = var.volume_size_gib >= 10 && var.volume_size_gib <= 16384
    error_message = "volume_size_gib must be between 10 and 16384."
  }
}

variable "max_volume_size_gib" {
  description = "Upper bound of broker storage autoscaling (not available for kafka.t3 brokers)."
  type        = number
  default     = 2000

  validation {
    condition     = var.max_volume_size_gib >= var.volume_size_gib && var.max_volume_size_gib <= 16384
    error_message = "max_volume_size_gib must be at least volume_size_gib and at most 16384."
  }
}

variable "enhanced_monitoring" {
  description = "MSK CloudWatch metric level; consumer lag per topic and partition (which the scorer scales on) needs PER_TOPIC_PER_PARTITION."
  type        = string
  default     = "PER_TOPIC_PER_PARTITION"

  validation {
    condition     = contains(["PER_TOPIC_PER_PARTITION"], var.enhanced_monitoring)
    error_message = "enhanced_monitoring must be PER_TOPIC_PER_PARTITION: the scorer's autoscaling and lag alarm read SumOffsetLag per consumer group and topic."
  }
}

variable "subnet_ids" {
  description = "Three private data subnets, one per zone."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) == 3
    error_message = "subnet_ids must hold exactly three subnets in three zones."
  }
}

variable "security_group_id" {
  description = "Security group of the brokers (from the network module)."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the broker log group."
  type        = number
  default     = 30
}

variable "topics" {
  description = "Topics the operators create after apply (auto-creation is off); see topic_create_commands."
  type = map(object({
    partitions   = number
    retention_ms = optional(number, 604800000)
  }))
  default = {
    "payments.transactions"     = { partitions = 12 }
    "payments.transactions.dlq" = { partitions = 3, retention_ms = 2592000000 }
    "fraud.decisions"           = { partitions = 12 }
    "fraud_alerts"              = { partitions = 6 }
    "fraud.labels"              = { partitions = 3, retention_ms = 7776000000 }
  }

  validation {
    condition     = alltrue([for t in ["payments.transactions", "payments.transactions.dlq", "fraud.decisions", "fraud_alerts", "fraud.labels"] : contains(keys(var.topics), t)])
    error_message = "topics must define payments.transactions, payments.transactions.dlq, fraud.decisions, fraud_alerts and fraud.labels."
  }

  validation {
    condition     = alltrue([for t in values(var.topics) : t.partitions >= 1 && t.partitions <= 1000])
    error_message = "Every topic needs between 1 and 1000 partitions."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
