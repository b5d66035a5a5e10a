variable "image_repository_arns" {
  description = "ECR repositories the task's images come from."
  type        = list(string)
}

variable "pull_through_repository_arn_patterns" {
  description = "ARN patterns of the ECR pull-through cache repositories (sidecar images): pulled from and filled on first use."
  type        = list(string)
  default     = []
}

variable "log_group_arn" {
  description = "Log group the task's containers write to."
  type        = string
}

variable "secrets" {
  description = "Secrets the containers reference (variable name => Secrets Manager ARN): exactly these may be read."
  type        = map(string)
  default     = {}
}

variable "secret_kms_key_arns" {
  description = "Keys that encrypt the secrets (decrypted through Secrets Manager only)."
  type        = list(string)
  default     = []
}
