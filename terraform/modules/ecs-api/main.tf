# The synchronous scoring API (services/api) on ECS Fargate behind an internal load balancer, in
# the scorer's cluster and from the scorer's image: both paths run the same code, read the same
# Redis state and the same model bucket, so they reach the same decision.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  region     = data.aws_region.current.region
  port       = 8090
  https      = var.certificate_arn != null
  base_url   = "${local.https ? "https" : "http"}://${coalesce(var.hostname, aws_lb.this.dns_name)}"
  models_dir = "/app/models"

  # Names from services/api/src/config.ts; Redis settings come in through var.environment (the
  # scorer's values: same URL and key prefix, or the two paths would not share state).
  environment = merge(var.environment, {
    API_HOST                = "0.0.0.0" # the load balancer reaches the task's own address
    API_PORT                = tostring(local.port)
    API_MAX_BATCH_SIZE      = tostring(var.max_batch_size)
    API_REQUEST_DEADLINE_MS = tostring(var.request_deadline_ms)
    MODEL_REGISTRY_DIR      = local.models_dir
    AWS_REGION              = local.region
  })
  secrets = merge(var.secrets, { API_KEYS = aws_secretsmanager_secret.api_keys.arn })

  # The same mirror as the scorer's sidecar: registry.json is copied last and renamed into place,
  # so it never names a version whose files are still downloading.
  model_sync_script = <<-EOT
    sync_once() {
      aws s3 sync "s3://$MODEL_BUCKET/$MODEL_PREFIX" /models --exclude registry.json --only-show-errors &&
        aws s3 cp "s3://$MODEL_BUCKET/$${MODEL_PREFIX}registry.json" /models/.registry.json.next --only-show-errors &&
        mv /models/.registry.json.next /models/registry.json
    }
    until sync_once; do echo "model sync failed; retrying"; sleep 10; done
    while sleep "$SYNC_INTERVAL_SECONDS"; do sync_once || echo "model sync failed; the API keeps its current models"; done
  EOT

  model_bucket_name = element(split(":", var.model.bucket_arn), 5)
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

resource "aws_cloudwatch_log_group" "api" {
  name              = "/ecs/${var.name}/api"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

# --- Internal load balancer: only the callers' security group (and operators) reach it.

resource "aws_lb" "this" {
  name                       = "${var.name}-api"
  internal                   = true
  load_balancer_type         = "application"
  subnets                    = var.subnet_ids
  security_groups            = [var.alb_security_group_id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  # Requests are milliseconds; an idle keep-alive connection is closed after this.
  idle_timeout = 60
  tags         = var.tags
}

resource "aws_lb_target_group" "this" {
  name                 = "${var.name}-api"
  port                 = local.port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 15

  # /readyz: Redis connected and a model loaded; a task without either gets no traffic.
  health_check {
    path                = "/readyz"
    matcher             = "200"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }

  tags = var.tags
}

resource "aws_lb_listener" "https" {
  count             = local.https ? 1 : 0
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  tags = var.tags
}

# Without a certificate the API speaks HTTP inside the VPC only: the load balancer is internal and
# its security group admits the API clients' group and operators alone. Bearer keys would then
# cross the VPC in clear text: production environments give certificate_arn.
#trivy:ignore:AVD-AWS-0054 plain HTTP only when no certificate is given, on an internal load balancer reachable from two security groups
resource "aws_lb_listener" "http" {
  count             = local.https ? 0 : 1
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  tags = var.tags
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
    dependsOn = [{ containerName = "model-sync", condition = "HEALTHY" }]
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
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.api.name
        awslogs-region        = local.region
        awslogs-stream-prefix = "api"
        mode                  = "non-blocking"
        max-buffer-size       = "4m"
      }
    }
  }

  model_sync_container = {
    name                   = "model-sync"
    image                  = var.model_sync_image
    essential              = false # the API keeps the models it has when the bucket is unreachable
    user                   = "0"   # Fargate task volumes are owned by root; every capability is dropped
    readonlyRootFilesystem = true
    entryPoint             = ["/bin/sh", "-c"]
    command                = [local.model_sync_script]
    environment = [
      { name = "MODEL_BUCKET", value = local.model_bucket_name },
      { name = "MODEL_PREFIX", value = var.model.prefix },
      { name = "SYNC_INTERVAL_SECONDS", value = tostring(var.model_sync_interval_seconds) },
      { name = "AWS_REGION", value = local.region },
      { name = "HOME", value = "/tmp" },
    ]
    mountPoints = [
      { sourceVolume = "models", containerPath = "/models", readOnly = false },
      { sourceVolume = "sync-tmp", containerPath = "/tmp", readOnly = false },
    ]
    linuxParameters = { initProcessEnabled = true, capabilities = { drop = ["ALL"] } }
    healthCheck = {
      command     = ["CMD-SHELL", "test -f /models/registry.json"]
      interval    = 10
      timeout     = 5
      retries     = 3
      startPeriod = 120
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.api.name
        awslogs-region        = local.region
        awslogs-stream-prefix = "model-sync"
      }
    }
  }
}

resource "aws_ecs_task_definition" "api" {
  family                   = "${var.name}-api"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory_mib
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }

  volume {
    name = "models"
  }

  volume {
    name = "sync-tmp"
  }

  container_definitions = jsonencode([local.api_container, local.model_sync_container])

  tags = var.tags
}

resource "aws_ecs_service" "api" {
  name                               = "${var.name}-api"
  cluster                            = var.cluster_arn
  task_definition                    = aws_ecs_task_definition.api.arn
  desired_count                      = var.min_tasks
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 120 # model sync + warm-up before /readyz
  availability_zone_rebalancing      = "ENABLED"
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.task_security_group_id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this.arn
    container_name   = "api"
    container_port   = local.port
  }

  tags = var.tags

  depends_on = [aws_lb_listener.http, aws_lb_listener.https]

  lifecycle {
    # Autoscaling owns the task count after the first apply.
    ignore_changes = [desired_count]
  }
}
