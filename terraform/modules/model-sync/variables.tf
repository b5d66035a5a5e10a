variable "image" {
  description = "AWS CLI image of the sidecar, normally through the ECR pull-through cache of public.ecr.aws."
  type        = string

  validation {
    condition     = !endswith(var.image, ":latest") && can(regex(":[A-Za-z0-9_.-]+$", var.image))
    error_message = "model_sync_image must carry an explicit version tag."
  }
}

variable "bucket_arn" {
  description = "ARN of the model bucket."
  type        = string
}

variable "prefix" {
  description = "Key prefix of the model directories, ending in /."
  type        = string

  validation {
    condition     = endswith(var.prefix, "/") && !startswith(var.prefix, "/")
    error_message = "model.prefix must be a key prefix ending in / (e.g. models/)."
  }
}

variable "interval_seconds" {
  description = "How often the sidecar mirrors the bucket; a promotion reaches the service within this plus MODEL_POLL_INTERVAL_MS."
  type        = number
  default     = 60

  validation {
    condition     = var.interval_seconds >= 10
    error_message = "model_sync_interval_seconds must be at least 10."
  }
}

variable "reader" {
  description = "Who reads the models, for the sidecar's log message (\"scorer\", \"API\")."
  type        = string
}
