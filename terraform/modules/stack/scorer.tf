# The scorer: MSK -> features in Redis -> model -> decisions, as an ECS Fargate service in the
# deployment's cluster, with the model-sync and ADOT collector sidecars (the service, its roles, log
# group and CPU policy are terraform/modules/ecs-service's), scaling on CPU and on consumer lag.

locals {
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
            job_name       = local.scorer_metrics.service
            static_configs = [{ targets = ["127.0.0.1:${local.metrics_port}"], labels = { service = local.scorer_metrics.service } }]
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
        endpoint                         = local.scorer_metrics.prometheus_remote_write_url
        auth                             = { authenticator = "sigv4auth" }
        resource_to_telemetry_conversion = { enabled = true }
      }
      awsemf = {
        region                  = local.region
        namespace               = local.scorer_metrics.namespace
        log_group_name          = aws_cloudwatch_log_group.scorer_metrics.name
        log_stream_name         = "scorer/{TaskId}"
        dimension_rollup_option = "NoDimensionRollup"
        # Only what the alarms read, summed over the tasks (CloudWatch bills per metric).
        metric_declarations = [{
          dimensions            = [["service"]]
          metric_name_selectors = [for n in local.scorer_metrics.cloudwatch_metric_names : "^${n}$"]
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

  # Names from services/scorer/src/config.ts; the Kafka, Redis and registry settings are
  # local.scorer_environment (main.tf).
  scorer_container_environment = merge(local.scorer_environment, {
    AWS_REGION                     = local.region
    TOPIC_TRANSACTIONS             = local.scorer_kafka.input_topic
    SCORER_GROUP_ID                = local.scorer_kafka.consumer_group
    SCORER_TRANSACTIONAL_ID_PREFIX = local.scorer_kafka.transactional_id_prefix
    SCORER_HTTP_HOST               = "127.0.0.1"
    SCORER_HTTP_PORT               = tostring(local.metrics_port)
    MODEL_REGISTRY_DIR             = local.models_dir
  })

  # The scorer's Kafka identities, for the task role's least-privilege policy and the lag alarm.
  scorer_kafka = {
    cluster_arn                 = module.msk.cluster_arn
    cluster_name                = module.msk.cluster_name
    topic_arn_prefix            = module.msk.topic_arn_prefix
    group_arn_prefix            = module.msk.group_arn_prefix
    transactional_id_arn_prefix = module.msk.transactional_id_arn_prefix
    input_topic                 = local.input_topic
    output_topics               = ["fraud.decisions", "fraud_alerts", "payments.transactions.dlq"]
    consumer_group              = local.consumer_group
    transactional_id_prefix     = "fraud-scorer"
  }
  scorer_secrets = { REDIS_PASSWORD = module.redis.auth_token_secret_arn }

  # Where the collector sends the scorer's metrics: the Prometheus workspace and the CloudWatch
  # contract of the alarms (modules/monitoring).
  scorer_metrics = {
    prometheus_workspace_arn    = module.monitoring.prometheus_workspace_arn
    prometheus_remote_write_url = module.monitoring.prometheus_remote_write_url
    namespace                   = module.monitoring.scorer_metrics.namespace
    service                     = module.monitoring.scorer_metrics.service
    cloudwatch_metric_names = [
      module.monitoring.scorer_metrics.dlq_records,
      module.monitoring.scorer_metrics.scored,
      module.monitoring.scorer_metrics.dependency_failures,
      module.monitoring.scorer_metrics.batches,
    ]
  }
}

module "ecs_logs_key" {
  source = "../kms-key"

  alias                   = "${var.name}/ecs-logs"
  description             = "${var.name}: ECS task logs and embedded-metric logs"
  log_group_name_prefixes = [local.log_group_prefix]
}

resource "aws_cloudwatch_log_group" "scorer_metrics" {
  name              = "${local.log_group_prefix}scorer-metrics"
  retention_in_days = 7 # the metrics outlive these logs in CloudWatch Metrics
  kms_key_id        = module.ecs_logs_key.key_arn
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
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
# them structurally. terraform/modules/ecs-service adds their awslogs configuration.
locals {
  scorer_container = {
    name                   = "scorer"
    image                  = local.scorer_image
    essential              = true
    user                   = "1000:1000" # the node user of node:24-slim
    readonlyRootFilesystem = true
    portMappings           = [{ name = "metrics", containerPort = local.metrics_port, protocol = "tcp" }]
    environment            = [for k in sort(keys(local.scorer_container_environment)) : { name = k, value = local.scorer_container_environment[k] }]
    secrets                = [for k in sort(keys(local.scorer_secrets)) : { name = k, valueFrom = local.scorer_secrets[k] }]
    mountPoints = [
      { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
      { sourceVolume = "models", containerPath = local.models_dir, readOnly = true },
    ]
    dependsOn = [{ containerName = module.scorer_models.sync_container.name, condition = "HEALTHY" }]
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
    image                  = local.collector_image
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

module "scorer_service" {
  source = "../ecs-service"

  name             = "${var.name}-scorer"
  cluster_arn      = aws_ecs_cluster.this.arn
  cluster_name     = aws_ecs_cluster.this.name
  containers       = [local.scorer_container, module.scorer_models.sync_container, local.collector_container]
  task_cpu         = var.scorer.task_cpu
  task_memory_mib  = var.scorer.task_memory_mib
  cpu_architecture = var.scorer.cpu_architecture
  # The scorer image declares /tmp as a VOLUME so that its world-writable mode carries over to the mount.
  volumes = concat(["tmp"], module.scorer_models.sync_volumes)

  image_repository_arns                = [module.artifacts.repository_arns["scorer"]]
  pull_through_repository_arn_patterns = module.artifacts.pull_through_cache_repository_arn_patterns
  secrets                              = local.scorer_secrets
  secret_kms_key_arns                  = [module.redis.kms_key_arn]
  task_policy                          = { name = "kafka-models-metrics", json = data.aws_iam_policy_document.scorer_task.json }

  log_group = {
    name           = "${local.log_group_prefix}scorer"
    retention_days = local.log_retention_days
    kms_key_arn    = module.ecs_logs_key.key_arn
  }

  service = {
    subnet_ids         = module.network.task_subnet_ids
    security_group_ids = [module.network.security_group_ids["scorer"]]
  }

  autoscaling = {
    min_tasks = var.scorer.min_tasks
    max_tasks = var.scorer.max_tasks
    # CPU is the steady-state signal, and the only one that scales in (lag in autoscaling.tf).
    target_tracking = {
      cpu = { metric_type = "ECSServiceAverageCPUUtilization", target_value = var.scorer.cpu_target_percent }
    }
  }
}

# The task role's policy: what the scorer and its sidecars do at run time.

locals {
  input_topic_arn   = "${local.scorer_kafka.topic_arn_prefix}/${local.scorer_kafka.input_topic}"
  output_topic_arns = [for t in local.scorer_kafka.output_topics : "${local.scorer_kafka.topic_arn_prefix}/${t}"]
  group_arn         = "${local.scorer_kafka.group_arn_prefix}/${local.scorer_kafka.consumer_group}"
  # The scorer's transactional id is <prefix>-<instance id>, one per task.
  transactional_id_arn = "${local.scorer_kafka.transactional_id_arn_prefix}/${local.scorer_kafka.transactional_id_prefix}-*"
}

# The model-sync sidecar mirrors the model directories; the task role may read them.
module "scorer_models" {
  source = "../model-access"

  bucket_arn  = local.model.bucket_arn
  prefix      = local.model.prefix
  kms_key_arn = local.model.kms_key_arn
  sync        = { image = local.model_sync_image, interval_seconds = local.model_sync_interval_seconds, reader = "scorer" }
}

data "aws_iam_policy_document" "scorer_task" {
  source_policy_documents = [module.scorer_models.policy_json]

  statement {
    sid = "ConnectToCluster"
    # Transactional producers are idempotent producers.
    actions   = ["kafka-cluster:Connect", "kafka-cluster:WriteDataIdempotently"]
    resources = [local.scorer_kafka.cluster_arn]
  }

  statement {
    sid       = "ConsumeTransactions"
    actions   = ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]
    resources = [local.input_topic_arn]
  }

  statement {
    sid       = "ProduceDecisionsAlertsDeadLetters"
    actions   = ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"]
    resources = local.output_topic_arns
  }

  statement {
    sid       = "OwnConsumerGroup"
    actions   = ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
    resources = [local.group_arn]
  }

  statement {
    sid       = "OwnTransactionalIds"
    actions   = ["kafka-cluster:DescribeTransactionalId", "kafka-cluster:AlterTransactionalId"]
    resources = [local.transactional_id_arn]
  }

  statement {
    sid       = "RemoteWriteMetrics"
    actions   = ["aps:RemoteWrite"]
    resources = [local.scorer_metrics.prometheus_workspace_arn]
  }

  statement {
    sid       = "PublishEmbeddedMetrics"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = [aws_cloudwatch_log_group.scorer_metrics.arn, "${aws_cloudwatch_log_group.scorer_metrics.arn}:*"]
  }
}

# Lag catches what CPU misses: a backlog while tasks wait on Redis or Kafka. Scale out only;
# the CPU policy brings the count back down.
resource "aws_appautoscaling_policy" "scorer_lag" {
  name               = "${var.name}-scorer-lag"
  policy_type        = "StepScaling"
  service_namespace  = module.scorer_service.autoscaling_target.service_namespace
  scalable_dimension = module.scorer_service.autoscaling_target.scalable_dimension
  resource_id        = module.scorer_service.autoscaling_target.resource_id

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = 120
    metric_aggregation_type = "Maximum"

    step_adjustment {
      metric_interval_lower_bound = 0
      metric_interval_upper_bound = 2 * var.scorer.scale_out_lag_records
      scaling_adjustment          = 1
    }

    step_adjustment {
      metric_interval_lower_bound = 2 * var.scorer.scale_out_lag_records
      scaling_adjustment          = 3
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "scorer_lag_scale_out" {
  alarm_name          = "${var.name}-scorer-lag-scale-out"
  alarm_description   = "Scales the scorer out while the consumer lag exceeds ${var.scorer.scale_out_lag_records} records."
  namespace           = "AWS/Kafka"
  metric_name         = "SumOffsetLag"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = var.scorer.scale_out_lag_records
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_appautoscaling_policy.scorer_lag.arn]

  dimensions = {
    "Cluster Name"   = local.scorer_kafka.cluster_name
    "Consumer Group" = local.scorer_kafka.consumer_group
    "Topic"          = local.scorer_kafka.input_topic
  }

  lifecycle {
    # The alarm adds tasks up to max_tasks; tasks beyond the partition count would sit idle in the
    # consumer group.
    precondition {
      condition     = var.scorer.max_tasks <= module.msk.topics[local.input_topic].partitions
      error_message = "scorer.max_tasks must not exceed the partitions of the input topic: a consumer group cannot use more tasks than the topic has partitions."
    }
  }
}
