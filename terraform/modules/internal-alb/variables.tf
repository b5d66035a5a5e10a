variable "name" {
  description = "Name of the load balancer and its target group, e.g. fraud-prod-api."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,31}$", var.name))
    error_message = "name must be 2-32 lower-case letters, digits or dashes, starting with a letter (load balancer names are at most 32 characters)."
  }
}

variable "vpc_id" {
  description = "VPC of the target group."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the load balancer."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "An application load balancer needs subnets in at least two zones."
  }
}

variable "security_group_id" {
  description = "Security group of the load balancer (from the network module)."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for an HTTPS listener on 443; null serves plain HTTP on 80 inside the VPC."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN or null."
  }
}

variable "hostname" {
  description = "DNS name clients use (a private hosted zone record matching the certificate); null uses the load balancer's own name."
  type        = string
  default     = null
}

variable "target_port" {
  description = "Container port the target group forwards to."
  type        = number
}

variable "deregistration_delay_seconds" {
  description = "How long a stopping task keeps its in-flight requests."
  type        = number
}

variable "health_check" {
  description = "Target health check: path, interval, timeout (null = the ALB default) and unhealthy threshold."
  type = object({
    path                = string
    interval_seconds    = number
    timeout_seconds     = optional(number)
    unhealthy_threshold = number
  })
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
