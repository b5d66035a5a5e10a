variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like us-east-1."
  }
}

# The command-line interface of this environment (terraform/README.md, Apply). Checks of the values
# live in terraform/modules/stack, which both environments share.

variable "scorer_image_tag" {
  description = "Tag of the scorer image in this environment's ECR repository (immutable, e.g. a git SHA, not latest)."
  type        = string
}

variable "registry_image_tag" {
  description = "Tag of the Apicurio Registry 3.x image with aws-msk-iam-auth on its class path, in this environment's fraud-registry repository (see terraform/README.md)."
  type        = string
}

variable "registry_certificate_arn" {
  description = "ACM certificate for the registry's internal HTTPS listener; null serves HTTP inside the VPC."
  type        = string
  default     = null
}

variable "registry_hostname" {
  description = "Private DNS name of the registry matching the certificate; null uses the load balancer's name."
  type        = string
  default     = null
}

variable "collector_version" {
  description = "AWS Distro for OpenTelemetry collector version, pulled through the ECR cache of public.ecr.aws; null = the version terraform/modules/stack pins."
  type        = string
  default     = null
}

variable "aws_cli_version" {
  description = "AWS CLI image version of the model-sync sidecars, pulled through the ECR cache of public.ecr.aws; null = the version terraform/modules/stack pins."
  type        = string
  default     = null
}

variable "model_bucket_name" {
  description = "Name of the model bucket; null derives a unique one from the account id."
  type        = string
  default     = null
}

variable "alarm_emails" {
  description = "Addresses that receive the alarms."
  type        = list(string)
  default     = []
}

variable "api_certificate_arn" {
  description = "ACM certificate for the scoring API's internal HTTPS listener. Required in production: callers send Bearer keys."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:", var.api_certificate_arn))
    error_message = "api_certificate_arn must be an ACM certificate ARN: production serves the API over HTTPS only."
  }
}

variable "api_hostname" {
  description = "Private DNS name of the scoring API matching the certificate; null uses the load balancer's name."
  type        = string
  default     = null
}
