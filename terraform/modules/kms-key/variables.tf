variable "alias" {
  description = "Alias of the key, without the alias/ prefix."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9/_-]+$", var.alias)) && !startswith(var.alias, "aws/")
    error_message = "alias may hold letters, digits, /, _ and - and must not start with aws/."
  }
}

variable "description" {
  description = "What the key protects."
  type        = string
}

variable "log_group_name_prefixes" {
  description = "CloudWatch Logs may use the key only for log groups whose name starts with one of these prefixes."
  type        = list(string)
  default     = []
}

variable "service_principals" {
  description = "AWS service principals (e.g. cloudwatch.amazonaws.com) that may use the key on behalf of this account only."
  type        = list(string)
  default     = []
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled key deletion completes."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30."
  }
}

variable "tags" {
  description = "Tags for the key."
  type        = map(string)
  default     = {}
}
