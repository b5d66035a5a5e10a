# The synchronous scoring API (services/api) on ECS Fargate behind an internal load balancer, in
# the scorer's cluster and from the scorer's image: both paths run the same code, read the same
# Redis state and the same model bucket, so they reach the same decision. Only the api_clients
# security group (payment gateways) and operators reach the load balancer.

locals {
  api_port = 8090

  # Names from services/api/src/config.ts; the Redis settings are the scorer's (same URL and key
  # prefix, or the two paths would not share state).
  api_environment = merge(module.redis.scorer_environment, {
    API_HOST                = "0.0.0.0" # the load balancer reaches the task's own address
    API_PORT                = tostring(local.api_port)
    API_MAX_BATCH_SIZE      = tostring(var.api.max_batch_size)
    API_REQUEST_DEADLINE_MS = tostring(var.api.request_deadline_ms)
    MODEL_REGISTRY_DIR      = local.models_dir
    AWS_REGION              = local.region
  })
  api_secrets = merge(local.scorer_secrets, { API_KEYS = aws_secretsmanager_secret.api_keys.arn })
}

# --- API keys: generated once, kept in Secrets Manager, injected as API_KEYS by ECS.

module "api_keys_key" {
  source = "../kms-key"

  alias       = "${var.name}/api-keys"
  description = "${var.name}: API keys of the synchronous scoring API"
}

# Letters and digits only: the API reads API_KEYS as a comma-separated list.
resource "random_password" "api_key" {
  length  = 48
  special = false
}

resource "aws_secretsmanager_secret" "api_keys" {
  name                    = "${var.name}/api-keys"
  description             = "Comma-separated Bearer keys of the ${var.name} scoring API (API_KEYS); rotate by adding the new key, redeploying, then removing the old one"
  kms_key_id              = module.api_keys_key.key_arn
  recovery_window_in_days = var.secret_recovery_window_days
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

module "api_alb" {
  source = "../internal-alb"

  name                         = "${var.name}-api"
  vpc_id                       = module.network.vpc_id
  subnet_ids                   = module.network.task_subnet_ids
  security_group_id            = module.network.security_group_ids["api_alb"]
  certificate_arn              = var.api.certificate_arn
  hostname                     = var.api.hostname
  target_port                  = local.api_port
  deregistration_delay_seconds = 15
  # /readyz: Redis connected and a model loaded; a task without either gets no traffic.
  health_check        = { path = "/readyz", interval_seconds = 10, timeout_seconds = 5, unhealthy_threshold = 2 }
  deletion_protection = var.deletion_protection
}

# Container definitions as HCL objects so that terraform/test can read them structurally.
locals {
  api_container = {
    name                   = "api"
    image                  = local.scorer_image
    essential              = true
    command                = ["node", "--import", "tsx", "services/api/src/main.ts"]
    user                   = "1000:1000" # the node user of node:24-slim
    readonlyRootFilesystem = true
    portMappings           = [{ name = "http", containerPort = local.api_port, protocol = "tcp" }]
    environment            = [for k in sort(keys(local.api_environment)) : { name = k, value = local.api_environment[k] }]
    secrets                = [for k in sort(keys(local.api_secrets)) : { name = k, valueFrom = local.api_secrets[k] }]
    mountPoints = [
      { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
      { sourceVolume = "models", containerPath = local.models_dir, readOnly = true },
    ]
    dependsOn = [{ containerName = module.api_models.sync_container.name, condition = "HEALTHY" }]
    linuxParameters = {
      initProcessEnabled = true
      capabilities       = { drop = ["ALL"] }
    }
    healthCheck = {
      command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:${local.api_port}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
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

module "api_service" {
  source = "../ecs-service"

  name             = "${var.name}-api"
  cluster_arn      = aws_ecs_cluster.this.arn
  cluster_name     = aws_ecs_cluster.this.name
  containers       = [local.api_container, module.api_models.sync_container]
  volumes          = concat(["tmp"], module.api_models.sync_volumes)
  task_cpu         = var.api.task_cpu
  task_memory_mib  = var.api.task_memory_mib
  cpu_architecture = var.api.cpu_architecture

  image_repository_arns                = [module.artifacts.repository_arns["scorer"]]
  pull_through_repository_arn_patterns = module.artifacts.pull_through_cache_repository_arn_patterns
  secrets                              = local.api_secrets
  secret_kms_key_arns                  = [module.api_keys_key.key_arn, module.redis.kms_key_arn]
  # The model-sync sidecar reads the model bucket; the API itself needs no AWS API.
  task_policy = { name = "read-models", json = module.api_models.policy_json }

  log_group = {
    name           = "/ecs/${var.name}/api"
    retention_days = local.log_retention_days
    kms_key_arn    = module.ecs_logs_key.key_arn
  }

  service = {
    subnet_ids                        = module.network.task_subnet_ids
    security_group_ids                = [module.network.security_group_ids["api"]]
    health_check_grace_period_seconds = 120 # model sync + warm-up before /readyz
    load_balancer                     = { target_group_arn = module.api_alb.target_group_arn, container_name = "api", container_port = local.api_port }
  }

  autoscaling = {
    min_tasks = var.api.min_tasks
    max_tasks = var.api.max_tasks
    # Requests per task is what a synchronous API saturates on: keep each task under the rate at
    # which its p99 holds (see the benchmark in services/api/README.md), with room for a burst.
    target_tracking = {
      requests = {
        metric_type    = "ALBRequestCountPerTarget"
        target_value   = var.api.requests_per_target_per_minute
        resource_label = module.api_alb.request_count_label
      }
    }
  }
}

# The model-sync sidecar mirrors the model directories; the task role may read them.
module "api_models" {
  source = "../model-access"

  bucket_arn  = local.model.bucket_arn
  prefix      = local.model.prefix
  kms_key_arn = local.model.kms_key_arn
  sync        = { image = local.model_sync_image, interval_seconds = local.model_sync_interval_seconds, reader = "API" }
}
