# The synchronous scoring API (services/api) on ECS Fargate behind an internal load balancer, in
# the scorer's cluster and from the scorer's image: both paths run the same code, read the same
# Redis state and the same model bucket, so they reach the same decision.

data "aws_region" "current" {}

locals {
  port       = 8090
  models_dir = "/app/models"

  # Names from services/api/src/config.ts; Redis settings come in through var.environment (the
  # scorer's values: same URL and key prefix, or the two paths would not share state).
  environment = merge(var.environment, {
    API_HOST                = "0.0.0.0" # the load balancer reaches the task's own address
    API_PORT                = tostring(local.port)
    API_MAX_BATCH_SIZE      = tostring(var.max_batch_size)
    API_REQUEST_DEADLINE_MS = tostring(var.request_deadline_ms)
    MODEL_REGISTRY_DIR      = local.models_dir
    AWS_REGION              = data.aws_region.current.region
  })
  secrets = merge(var.secrets, { API_KEYS = aws_secretsmanager_secret.api_keys.arn })
}

# --- API keys: generated once, kept in Secrets Manager, injected as API_KEYS by ECS.

module "key" {
  source = "../kms-key"

  alias       = "${var.name}/api-keys"
  description = "${var.name}: API keys of the synchronous scoring API"
  tags        = var.tags
}

# Letters and digits only: the API reads API_KEYS as a comma-separated list.
resource "random_password" "api_key" {
  length  = 48
  special = false
}

resource "aws_secretsmanager_secret" "api_keys" {
  name                    = "${var.name}/api-keys"
  description             = "Comma-separated Bearer keys of the ${var.name} scoring API (API_KEYS); rotate by adding the new key, redeploying, then removing the old one"
  kms_key_id              = module.key.key_arn
  recovery_window_in_days = var.secret_recovery_window_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "api_keys" {
  secret_id     = aws_secretsmanager_secret.api_keys.id
  secret_string = random_password.api_key.result

  lifecycle {
    # Operators rotate keys in Secrets Manager; Terraform only creates the first one.
    ignore_changes = [secret_string]
  }
}

# --- Internal load balancer: only the callers' security group (and operators) reach it.

module "alb" {
  source = "../internal-alb"

  name                         = "${var.name}-api"
  vpc_id                       = var.vpc_id
  subnet_ids                   = var.subnet_ids
  security_group_id            = var.alb_security_group_id
  certificate_arn              = var.certificate_arn
  hostname                     = var.hostname
  target_port                  = local.port
  deregistration_delay_seconds = 15
  # /readyz: Redis connected and a model loaded; a task without either gets no traffic.
  health_check        = { path = "/readyz", interval_seconds = 10, timeout_seconds = 5, unhealthy_threshold = 2 }
  deletion_protection = var.deletion_protection
  tags                = var.tags
}

module "model_sync" {
  source = "../model-sync"

  image            = var.model_sync_image
  bucket_arn       = var.model.bucket_arn
  prefix           = var.model.prefix
  interval_seconds = var.model_sync_interval_seconds
  reader           = "API"
}

# Container definitions as HCL objects so that terraform/test can read them structurally.
locals {
  api_container = {
    name                   = "api"
    image                  = var.image
    essential              = true
    command                = ["node", "--import", "tsx", "services/api/src/main.ts"]
    user                   = "1000:1000" # the node user of node:24-slim
    readonlyRootFilesystem = true
    portMappings           = [{ name = "http", containerPort = local.port, protocol = "tcp" }]
    environment            = [for k in sort(keys(local.environment)) : { name = k, value = local.environment[k] }]
    secrets                = [for k in sort(keys(local.secrets)) : { name = k, valueFrom = local.secrets[k] }]
    mountPoints = [
      { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
      { sourceVolume = "models", containerPath = local.models_dir, readOnly = true },
    ]
    dependsOn = [{ containerName = module.model_sync.container.name, condition = "HEALTHY" }]
    linuxParameters = {
      initProcessEnabled = true
      capabilities       = { drop = ["ALL"] }
    }
    healthCheck = {
      command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:${local.port}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 60
    }
    # The API answers what is queued before it exits (API_SHUTDOWN_GRACE_MS is 10 s).
    stopTimeout = 30
    ulimits     = [{ name = "nofile", softLimit = 65536, hardLimit = 65536 }]
    log_options = { mode = "non-blocking", max-buffer-size = "4m" }
  }
}

module "service" {
  source = "../ecs-service"

  name             = "${var.name}-api"
  cluster_arn      = var.cluster_arn
  cluster_name     = var.cluster_name
  containers       = [local.api_container, module.model_sync.container]
  volumes          = concat(["tmp"], module.model_sync.volumes)
  task_cpu         = var.task_cpu
  task_memory_mib  = var.task_memory_mib
  cpu_architecture = var.cpu_architecture

  image_repository_arns                = [var.ecr_repository_arn]
  pull_through_repository_arn_patterns = var.pull_through_repository_arn_patterns
  secrets                              = local.secrets
  secret_kms_key_arns                  = concat([module.key.key_arn], var.secret_kms_key_arns)
  # The model-sync sidecar reads the model bucket; the API itself needs no AWS API.
  task_policy = { name = "read-models", json = module.model_access.json }

  log_group = {
    name           = "/ecs/${var.name}/api"
    retention_days = var.log_retention_days
    kms_key_arn    = var.log_kms_key_arn
  }

  service = {
    subnet_ids                        = var.subnet_ids
    security_group_ids                = [var.task_security_group_id]
    health_check_grace_period_seconds = 120 # model sync + warm-up before /readyz
    load_balancer                     = { target_group_arn = module.alb.target_group_arn, container_name = "api", container_port = local.port }
  }

  autoscaling = {
    min_tasks = var.min_tasks
    max_tasks = var.max_tasks
    # Requests per task is what a synchronous API saturates on: keep each task under the rate at
    # which its p99 holds (see the benchmark in services/api/README.md), with room for a burst.
    target_tracking = {
      requests = {
        metric_type    = "ALBRequestCountPerTarget"
        target_value   = var.requests_per_target_per_minute
        resource_label = module.alb.request_count_label
      }
    }
  }

  tags = var.tags
}

module "model_access" {
  source = "../model-bucket-access"

  bucket_arn  = var.model.bucket_arn
  prefix      = var.model.prefix
  kms_key_arn = var.model.kms_key_arn
}
