variable "name" {
  description = "Name prefix for every resource, e.g. fraud-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "vpc_cidr" {
  description = "IPv4 range of the VPC; a /16 leaves room for /20 task subnets in each zone."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) == 16
    error_message = "vpc_cidr must be a valid /16 IPv4 range."
  }
}

variable "nat_gateway_count" {
  description = "NAT gateways: 3 keeps each zone's egress independent, 1 is cheaper, 0 removes internet egress entirely (only the admin security group uses it)."
  type        = number
  default     = 3

  validation {
    condition     = contains([0, 1, 3], var.nat_gateway_count)
    error_message = "nat_gateway_count must be 0, 1 or 3."
  }
}

variable "interface_endpoints" {
  description = "AWS services reached through interface endpoints instead of the NAT gateway (short names such as ecr.api)."
  type        = list(string)
  default     = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "aps-workspaces"]

  validation {
    condition     = alltrue([for s in ["ecr.api", "ecr.dkr", "logs", "secretsmanager"] : contains(var.interface_endpoints, s)])
    error_message = "interface_endpoints must include ecr.api, ecr.dkr, logs and secretsmanager: Fargate tasks have no other way out."
  }
}

variable "interface_endpoint_az_count" {
  description = "Zones that get an interface endpoint ENI; fewer zones cost less but add a cross-zone hop and a zonal dependency."
  type        = number
  default     = 3

  validation {
    condition     = var.interface_endpoint_az_count >= 1 && var.interface_endpoint_az_count <= 3
    error_message = "interface_endpoint_az_count must be 1, 2 or 3."
  }
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow log group."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a retention value CloudWatch Logs accepts (e.g. 30, 90, 365)."
  }
}

variable "ports" {
  description = "Ports the security groups open between the components."
  type = object({
    msk_sasl_iam  = optional(number, 9098)
    redis         = optional(number, 6379)
    registry_http = optional(number, 8080)
    api_http      = optional(number, 8090)
  })
  default = {}
}

variable "registry_listener_port" {
  description = "Port of the schema registry's internal load balancer listener: 443 with a certificate, else 80."
  type        = number
  default     = 80

  validation {
    condition     = contains([80, 443], var.registry_listener_port)
    error_message = "registry_listener_port must be 80 or 443."
  }
}

variable "api_listener_port" {
  description = "Port of the scoring API's internal load balancer listener: 443 with a certificate, else 80."
  type        = number
  default     = 80

  validation {
    condition     = contains([80, 443], var.api_listener_port)
    error_message = "api_listener_port must be 80 or 443."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
