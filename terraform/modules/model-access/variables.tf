variable "bucket_arn" {
  description = "ARN of the model bucket."
  type        = string
}

variable "prefix" {
  description = "Key prefix of the model directories, ending in /."
  type        = string

  validation {
    condition     = endswith(var.prefix, "/") && !startswith(var.prefix, "/")
    error_message = "prefix must be a key prefix ending in / (e.g. models/)."
  }
}

variable "kms_key_arn" {
  description = "KMS key of the bucket."
  type        = string
}

variable "sync" {
  description = "The model-sync sidecar: AWS CLI image (normally through the ECR pull-through cache of public.ecr.aws), how often it mirrors the bucket (a promotion reaches the service within this plus MODEL_POLL_INTERVAL_MS), and who reads the models, for its log message. null = no sidecar (policy only)."
  type = object({
    image            = string
    interval_seconds = number
    reader           = string
  })
  default = null

  validation {
    condition     = var.sync == null || try(!endswith(var.sync.image, ":latest") && can(regex(":[A-Za-z0-9_.-]+$", var.sync.image)) && var.sync.interval_seconds >= 10, false)
    error_message = "sync.image must carry an explicit version tag (not latest) and sync.interval_seconds must be at least 10."
  }
}

variable "write" {
  description = "Also write objects (the retrainer publishes models); false = read only (scorer, API)."
  type        = bool
  default     = false
}
