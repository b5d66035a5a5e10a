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

variable "write" {
  description = "Also write objects (the retrainer publishes models); false = read only (scorer, API)."
  type        = bool
  default     = false
}
