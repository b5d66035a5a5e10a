# One ECS Fargate workload, written once for the scorer, the API and the retrainer: the task
# definition, its execution and task roles, its log group and, for a long-running service, the
# service with a deployment circuit breaker and the autoscaling target with its target-tracking
# policies. What differs per workload (containers, the task role's permissions, load balancer,
# extra scaling policies) comes in through the variables.

data "aws_region" "current" {}

locals {
  region = data.aws_region.current.region

  # Every container logs to the workload's group under a stream prefix of its own name; a
  # container's log_options (e.g. non-blocking mode) are added to the awslogs options.
  containers = [for c in var.containers : merge({ for k, v in c : k => v if k != "log_options" }, {
    logConfiguration = {
      logDriver = "awslogs"
      options = merge({
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = local.region
        awslogs-stream-prefix = c.name
      }, try(c.log_options, {}))
    }
  })]
}

resource "aws_cloudwatch_log_group" "this" {
  name              = var.log_group.name
  retention_in_days = var.log_group.retention_days
  kms_key_id        = var.log_group.kms_key_arn
  tags              = var.tags
}

# --- Execution role: what ECS itself does before the containers run.

module "execution_policy" {
  source = "../ecs-execution-policy"

  image_repository_arns                = var.image_repository_arns
  pull_through_repository_arn_patterns = var.pull_through_repository_arn_patterns
  log_group_arn                        = aws_cloudwatch_log_group.this.arn
  secrets                              = var.secrets
  secret_kms_key_arns                  = var.secret_kms_key_arns
}

module "execution_role" {
  source = "../service-role"

  name     = "${var.name}-execution"
  service  = "ecs-tasks.amazonaws.com"
  policies = { (length(var.secrets) > 0 ? "pull-log-secrets" : "pull-log") = module.execution_policy.json }
  tags     = var.tags
}

# --- Task role: what the containers do at run time (the caller's least-privilege policy).

module "task_role" {
  source = "../service-role"

  name     = "${var.name}-task"
  service  = "ecs-tasks.amazonaws.com"
  policies = { (var.task_policy.name) = var.task_policy.json }
  tags     = var.tags
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory_mib
  execution_role_arn       = module.execution_role.arn
  task_role_arn            = module.task_role.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # Root filesystems are read-only; these task volumes are the only writable paths.
  dynamic "volume" {
    for_each = var.volumes

    content {
      name = volume.value
    }
  }

  container_definitions = jsonencode(local.containers)

  tags = var.tags
}

# --- The long-running service (none for a scheduled task).

resource "aws_ecs_service" "this" {
  count = var.service == null ? 0 : 1

  name                               = var.name
  cluster                            = var.cluster_arn
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.autoscaling.min_tasks
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = var.service.health_check_grace_period_seconds
  availability_zone_rebalancing      = "ENABLED"
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"

  # A task that never turns healthy (bad config, model, credentials) stops the rollout and brings
  # back the previous task definition.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.service.subnet_ids
    security_groups  = var.service.security_group_ids
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = var.service.load_balancer == null ? [] : [var.service.load_balancer]

    content {
      target_group_arn = load_balancer.value.target_group_arn
      container_name   = load_balancer.value.container_name
      container_port   = load_balancer.value.container_port
    }
  }

  tags = var.tags

  lifecycle {
    # Autoscaling owns the task count after the first apply.
    ignore_changes = [desired_count]
  }
}

resource "aws_appautoscaling_target" "this" {
  count = var.service == null ? 0 : 1

  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${var.cluster_name}/${aws_ecs_service.this[0].name}"
  min_capacity       = var.autoscaling.min_tasks
  max_capacity       = var.autoscaling.max_tasks
  tags               = var.tags
}

# Target tracking is the steady-state signal and the only one that scales in.
resource "aws_appautoscaling_policy" "target_tracking" {
  for_each = var.service == null ? {} : var.autoscaling.target_tracking

  name               = "${var.name}-${each.key}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.this[0].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = each.value.target_value
    scale_out_cooldown = 60
    # Scale-in rebalances consumer groups and drains connections; waiting avoids flapping right
    # after a burst.
    scale_in_cooldown = 300

    predefined_metric_specification {
      predefined_metric_type = each.value.metric_type
      resource_label         = each.value.resource_label
    }
  }
}
