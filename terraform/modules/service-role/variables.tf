variable "name" {
  description = "Name of the role."
  type        = string
}

variable "service" {
  description = "Service principal that may assume the role, e.g. ecs-tasks.amazonaws.com."
  type        = string

  validation {
    condition     = endswith(var.service, ".amazonaws.com")
    error_message = "service must be an AWS service principal (<service>.amazonaws.com)."
  }
}

variable "policies" {
  description = "Inline policies: name => policy JSON (from aws_iam_policy_document)."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
}
