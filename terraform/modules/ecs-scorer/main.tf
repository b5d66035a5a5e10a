data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  region           = data.aws_region.current.region
  log_group_prefix = "/ecs/${var.name}/"
  metrics_port     = 9464

  # Prometheus metrics go to the workspace (dashboards) and, for the names the alarms read, to
  # CloudWatch as embedded metric format logs. The scrape target is the scorer in the same task.
  collector_config = {
    extensions = {
      health_check = {}
      sigv4auth    = { region = local.region, service = "aps" }
    }
    receivers = {
      prometheus = {
        config = {
          global = { scrape_interval = "15s", scrape_timeout = "10s" }
          scrape_configs = [{
            job_name       = var.metrics.service
            static_configs = [{ targets = ["127.0.0.1:${local.metrics_port}"], labels = { service = var.metrics.service } }]
          }]
        }
      }
    }
    processors = {
      # Every task scrapes 127.0.0.1, so the task's identity must come from the ECS metadata or the
      # tasks' series would overwrite each other in the workspace.
      "resourcedetection/ecs" = { detectors = ["env", "ecs"], timeout = "2s", override = false }
      batch                   = { timeout = "30s" }
    }
    exporters = {
      prometheusremotewrite = {
        endpoint                         = var.metrics.prometheus_remote_write_url
        auth                             = { authenticator = "sigv4auth" }
        resource_to_telemetry_conversion = { enabled = true }
      }
      awsemf = {
        region                  = local.region
        namespace               = var.metrics.namespace
        log_group_name          = aws_cloudwatch_log_group.metrics.name
        log_stream_name         = "scorer/{TaskId}"
        dimension_rollup_option = "NoDimensionRollup"
        # Only what the alarms read, summed over the tasks (CloudWatch bills per metric).
        metric_declarations = [{
          dimensions            = [["service"]]
          metric_name_selectors = [for n in var.metrics.cloudwatch_metric_names : "^${n}$"]
        }]
      }
    }
    service = {
      extensions = ["health_check", "sigv4auth"]
      pipelines = {
        metrics = {
          receivers  = ["prometheus"]
          processors = ["resourcedetection/ecs", "batch"]
          exporters  = ["prometheusremotewrite", "awsemf"]
        }
      }
    }
  }

  models_dir = "/app/models"

  # Names from services/scorer/src/config.ts; the Kafka, Redis and registry settings come in through
  # var.environment.
  environment = merge(var.environment, {
    AWS_REGION                     = local.region
    TOPIC_TRANSACTIONS             = var.kafka.input_topic
    SCORER_GROUP_ID                = var.kafka.consumer_group
    SCORER_TRANSACTIONAL_ID_PREFIX = var.kafka.transactional_id_prefix
    SCORER_HTTP_HOST               = "127.0.0.1"
    SCORER_HTTP_PORT               = tostring(local.metrics_port)
    MODEL_REGISTRY_DIR             = local.models_dir
  })

  # The scorer reads model directories from a local path and hot-reloads when registry.json
  # changes. The sidecar mirrors the bucket there; registry.json is copied last and renamed into
  # place, so it never names a version whose files are still downloading.
  model_sync_script = <<-EOT
    sync_once() {
      aws s3 sync "s3://$MODEL_BUCKET/$MODEL_PREFIX" /models --exclude registry.json --only-show-errors &&
        aws s3 cp "s3://$MODEL_BUCKET/$${MODEL_PREFIX}registry.json" /models/.registry.json.next --only-show-errors &&
        mv /models/.registry.json.next /models/registry.json
    }
    until sync_once; do echo "model sync failed; retrying"; sleep 10; done
    while sleep "$SYNC_INTERVAL_SECONDS"; do sync_once || echo "model sync failed; the scorer keeps its current models"; done
  EOT

  model_bucket_name = element(split(":", var.model.bucket_arn), 5)
}

module "logs_key" {
  source = "../kms-key"

  alias                   = "${var.name}/ecs-logs"
  description             = "${var.name}: ECS task logs and embedded-metric logs"
  log_group_name_prefixes = [local.log_group_prefix]
  tags                    = var.tags
}

resource "aws_cloudwatch_log_group" "scorer" {
  name              = "${local.log_group_prefix}scorer"
  retention_in_days = var.log_retention_days
  kms_key_id        = module.logs_key.key_arn
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "metrics" {
  name              = "${local.log_group_prefix}scorer-metrics"
  retention_in_days = 7 # the metrics outlive these logs in CloudWatch Metrics
  kms_key_id        = module.logs_key.key_arn
  tags              = var.tags
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = var.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

# Container definitions as HCL objects (rather than inline JSON) so that terraform/test can read
# them structurally.
locals {
  scorer_container = {
    name                   = "scorer"
    image                  = var.image
    essential              = true
    user                   = "1000:1000" # the node user of node:24-slim
    readonlyRootFilesystem = true
    portMappings           = [{ name = "metrics", containerPort = local.metrics_port, protocol = "tcp" }]
    environment            = [for k in sort(keys(local.environment)) : { name = k, value = local.environment[k] }]
    secrets                = [for k in sort(keys(var.secrets)) : { name = k, valueFrom = var.secrets[k] }]
    mountPoints = [
      { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
      { sourceVolume = "models", containerPath = local.models_dir, readOnly = true },
    ]
    dependsOn = [{ containerName = "model-sync", condition = "HEALTHY" }]
    linuxParameters = {
      initProcessEnabled = true # forwards SIGTERM and reaps children
      capabilities       = { drop = ["ALL"] }
    }
    # The image has no curl; Node's fetch checks the liveness endpoint.
    healthCheck = {
      command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:${local.metrics_port}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 60
    }
    # Room for the graceful shutdown: finish the in-flight batch and commit its transaction.
    stopTimeout = 60
    ulimits     = [{ name = "nofile", softLimit = 65536, hardLimit = 65536 }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.scorer.name
        awslogs-region        = local.region
        awslogs-stream-prefix = "scorer"
        mode                  = "non-blocking"
        max-buffer-size       = "4m"
      }
    }
  }

  model_sync_container = {
    name      = "model-sync"
    image     = var.model_sync_image
    essential = false # the scorer keeps the models it has when the bucket is unreachable
    # Fargate creates task volumes owned by root, so the only writer of the models volume runs as
    # uid 0 — with every capability dropped and a read-only root filesystem; the scorer mounts the
    # volume read-only.
    user                   = "0"
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
        awslogs-group         = aws_cloudwatch_log_group.scorer.name
        awslogs-region        = local.region
        awslogs-stream-prefix = "model-sync"
      }
    }
  }

  collector_container = {
    name                   = "otel-collector"
    image                  = var.collector_image
    essential              = false # losing metrics must not stop scoring; the idle alarm notices
    user                   = "10001"
    readonlyRootFilesystem = true
    environment = [
      { name = "AOT_CONFIG_CONTENT", value = yamlencode(local.collector_config) },
      { name = "AWS_REGION", value = local.region },
    ]
    linuxParameters = { capabilities = { drop = ["ALL"] } }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.scorer.name
        awslogs-region        = local.region
        awslogs-stream-prefix = "otel-collector"
      }
    }
  }
}

resource "aws_ecs_task_definition" "scorer" {
  family                   = "${var.name}-scorer"
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

  # Root filesystems are read-only; these task volumes are the only writable paths. The scorer
  # image declares /tmp as a VOLUME so that its world-writable mode carries over to the mount.
  volume {
    name = "tmp"
  }

  volume {
    name = "models"
  }

  volume {
    name = "sync-tmp"
  }

  container_definitions = jsonencode([local.scorer_container, local.model_sync_container, local.collector_container])

  tags = var.tags
}

resource "aws_ecs_service" "scorer" {
  name                               = "${var.name}-scorer"
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.scorer.arn
  desired_count                      = var.min_tasks
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  availability_zone_rebalancing      = "ENABLED"
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"

  # A task that never turns healthy (bad config, model, credentials) stops the rollout and brings
  # back the previous task definition instead of leaving the partitions unconsumed.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.security_group_id]
    assign_public_ip = false
  }

  tags = var.tags

  lifecycle {
    # Autoscaling owns the task count after the first apply.
    ignore_changes = [desired_count]
  }
}
