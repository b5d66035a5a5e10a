variable "name" {
  description = "Name prefix, e.g. fraud-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "repositories" {
  description = "ECR repositories to create (key => repository name): the scorer, and the registry image with the MSK IAM library."
  type        = map(string)
  default = {
    scorer   = "fraud-scorer"
    registry = "fraud-registry"
  }

  validation {
    condition     = contains(keys(var.repositories), "scorer") && alltrue([for n in values(var.repositories) : can(regex("^[a-z0-9][a-z0-9._/-]{1,255}$", n))])
    error_message = "repositories must include a scorer entry, and every name must be a valid (lower-case) ECR repository name."
  }
}

variable "model_bucket_name" {
  description = "Globally unique name of the S3 bucket for model directories."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.model_bucket_name))
    error_message = "model_bucket_name must be a valid S3 bucket name."
  }
}

variable "image_retention_count" {
  description = "Tagged images kept in the repository; older ones expire."
  type        = number
  default     = 50

  validation {
    condition     = var.image_retention_count >= 5
    error_message = "image_retention_count must keep at least 5 images, enough to roll back."
  }
}

variable "noncurrent_model_retention_days" {
  description = "Days an overwritten or deleted model file stays restorable."
  type        = number
  default     = 180

  validation {
    condition     = var.noncurrent_model_retention_days >= 1
    error_message = "noncurrent_model_retention_days must be at least 1."
  }
}

variable "pull_through_cache_upstreams" {
  description = "Public registries mirrored through ECR pull-through cache (prefix => upstream), so tasks pull third-party images without internet egress."
  type        = map(string)
  default = {
    "ecr-public" = "public.ecr.aws"
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
