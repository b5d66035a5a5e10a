variable "name" {
  description = "Name of the workload, e.g. fraud-prod-scorer: the task family, the service, and the prefix of its roles (<name>-execution, <name>-task) and scaling policies."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,50}$", var.name))
    error_message = "name must be 2-51 lower-case letters, digits or dashes, starting with a letter (role names end in -execution)."
  }
}

variable "cluster_arn" {
  description = "ECS cluster the service runs in (null for a scheduled task: its schedule names the cluster)."
  type        = string
  default     = null
}

variable "cluster_name" {
  description = "Name of that cluster (autoscaling addresses services by cluster and service name)."
  type        = string
  default     = null
}

variable "containers" {
  description = "Container definitions (ECS JSON fields as HCL objects) without logConfiguration: every container logs to the workload's group with its name as stream prefix; a `log_options` map adds awslogs options."
  type        = any

  validation {
    condition     = length(var.containers) > 0 && alltrue([for c in var.containers : try(c.readonlyRootFilesystem, false) == true])
    error_message = "containers must not be empty and every container needs readonlyRootFilesystem = true (writable paths are task volumes)."
  }

  # Secrets reach a container through `secrets` (resolved by ECS from Secrets Manager), never
  # through its plain environment, which anyone who may describe the task definition can read.
  validation {
    condition = alltrue(flatten([for c in var.containers : [
      for e in try(c.environment, []) : !can(regex("(?i)(password|secret|token|credential|private_key|api_keys)", e.name))
    ]]))
    error_message = "A container's environment names a password, secret, token, credential or API_KEYS: pass it through secrets instead."
  }
}

variable "volumes" {
  description = "Names of the task's scratch volumes (the only writable paths)."
  type        = list(string)
  default     = []
}

variable "task_cpu" {
  description = "Task CPU units (1024 = 1 vCPU), shared by the task's containers."
  type        = number

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.task_cpu)
    error_message = "task_cpu must be a Fargate size: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "task_memory_mib" {
  description = "Task memory in MiB."
  type        = number

  validation {
    condition     = var.task_memory_mib >= 512 && var.task_memory_mib <= 122880
    error_message = "task_memory_mib must be between 512 and 122880 and match task_cpu's Fargate combinations."
  }
}

variable "cpu_architecture" {
  description = "X86_64 or ARM64 (Graviton, about 20% cheaper per vCPU)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "image_repository_arns" {
  description = "ECR repositories the images come from; the execution role may pull only from them and the pull-through caches."
  type        = list(string)
}

variable "pull_through_repository_arn_patterns" {
  description = "ARN patterns of the ECR pull-through cache repositories (sidecar images); the execution role may pull from and fill them."
  type        = list(string)
  default     = []
}

variable "secrets" {
  description = "Secrets the containers reference (variable name => Secrets Manager ARN): the execution role may read exactly these."
  type        = map(string)
  default     = {}
}

variable "secret_kms_key_arns" {
  description = "Keys that encrypt the secrets (the execution role decrypts through Secrets Manager only)."
  type        = list(string)
  default     = []
}

variable "task_policy" {
  description = "The task role's inline policy: its name and JSON (least privilege, written by the caller)."
  type = object({
    name = string
    json = string
  })
}

variable "log_group" {
  description = "Log group of the task's containers: name (under /ecs/<deployment>/), retention and KMS key."
  type = object({
    name           = string
    retention_days = number
    kms_key_arn    = string
  })
}

variable "service" {
  description = "The long-running ECS service: private subnets, security groups, optional load balancer and health check grace period. null = task definition only (a scheduled task)."
  type = object({
    subnet_ids                        = list(string)
    security_group_ids                = list(string)
    health_check_grace_period_seconds = optional(number)
    load_balancer = optional(object({
      target_group_arn = string
      container_name   = string
      container_port   = number
    }))
  })
  default = null

  validation {
    condition     = var.service == null || var.cluster_arn != null && var.cluster_name != null
    error_message = "A service needs cluster_arn and cluster_name."
  }
}

variable "autoscaling" {
  description = "Task count bounds of the service and its target-tracking policies (policy name suffix => predefined metric, target, resource label). Required with service."
  type = object({
    min_tasks = number
    max_tasks = number
    target_tracking = map(object({
      metric_type    = string
      target_value   = number
      resource_label = optional(string)
    }))
  })
  default = null

  validation {
    condition     = (var.autoscaling == null) == (var.service == null)
    error_message = "autoscaling is required with a service and meaningless without one."
  }

  validation {
    condition     = var.autoscaling == null || try(var.autoscaling.min_tasks >= 1 && var.autoscaling.min_tasks <= var.autoscaling.max_tasks, false)
    error_message = "autoscaling needs 1 <= min_tasks <= max_tasks."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
