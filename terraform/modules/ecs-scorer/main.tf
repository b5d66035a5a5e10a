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
}

module "logs_key" {
  source = "../kms-key"

  alias                   = "${var.name}/ecs-logs"
  description             = "${var.name}: ECS task logs and embedded-metric logs"
  log_group_name_prefixes = [local.log_group_prefix]
  tags                    = var.tags
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

module "model_sync" {
  source = "../model-sync"

  image            = var.model_sync_image
  bucket_arn       = var.model.bucket_arn
  prefix           = var.model.prefix
  interval_seconds = var.model_sync_interval_seconds
  reader           = "scorer"
}

# Container definitions as HCL objects (rather than inline JSON) so that terraform/test can read
# them structurally. terraform/modules/ecs-service adds their awslogs configuration.
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
    dependsOn = [{ containerName = module.model_sync.container.name, condition = "HEALTHY" }]
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
    log_options = { mode = "non-blocking", max-buffer-size = "4m" }
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
  }
}

module "service" {
  source = "../ecs-service"

  name             = "${var.name}-scorer"
  cluster_arn      = aws_ecs_cluster.this.arn
  cluster_name     = aws_ecs_cluster.this.name
  containers       = [local.scorer_container, module.model_sync.container, local.collector_container]
  task_cpu         = var.task_cpu
  task_memory_mib  = var.task_memory_mib
  cpu_architecture = var.cpu_architecture
  # The scorer image declares /tmp as a VOLUME so that its world-writable mode carries over to the mount.
  volumes = concat(["tmp"], module.model_sync.volumes)

  image_repository_arns                = [var.ecr_repository_arn]
  pull_through_repository_arn_patterns = var.pull_through_repository_arn_patterns
  secrets                              = var.secrets
  secret_kms_key_arns                  = var.secret_kms_key_arns
  task_policy                          = { name = "kafka-models-metrics", json = data.aws_iam_policy_document.task.json }

  log_group = {
    name           = "${local.log_group_prefix}scorer"
    retention_days = var.log_retention_days
    kms_key_arn    = module.logs_key.key_arn
  }

  service = {
    subnet_ids         = var.subnet_ids
    security_group_ids = [var.security_group_id]
  }

  autoscaling = {
    min_tasks = var.min_tasks
    max_tasks = var.max_tasks
    # CPU is the steady-state signal, and the only one that scales in (lag in autoscaling.tf).
    target_tracking = {
      cpu = { metric_type = "ECSServiceAverageCPUUtilization", target_value = var.cpu_target_percent }
    }
  }

  tags = var.tags
}
