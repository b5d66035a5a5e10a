data "aws_region" "current" {}

locals {
  port = 8080

  environment = {
    APICURIO_STORAGE_KIND                   = "kafkasql"
    APICURIO_KAFKASQL_BOOTSTRAP_SERVERS     = var.kafka.bootstrap_brokers_sasl_iam
    APICURIO_KAFKASQL_TOPIC                 = var.kafka.journal_topic
    APICURIO_KAFKASQL_SNAPSHOTS_TOPIC       = var.kafka.snapshots_topic
    APICURIO_KAFKASQL_CONSUMER_GROUP_PREFIX = var.kafka.consumer_group_prefix
    # apicurio.kafka.common.* is passed to every Kafka client of the storage (checked against
    # Apicurio 3.0.9: the settings reach the client; the stock image lacks the IAM classes).
    APICURIO_KAFKA_COMMON_SECURITY_PROTOCOL                  = "SASL_SSL"
    APICURIO_KAFKA_COMMON_SASL_MECHANISM                     = "AWS_MSK_IAM"
    APICURIO_KAFKA_COMMON_SASL_JAAS_CONFIG                   = "software.amazon.msk.auth.iam.IAMLoginModule required;"
    APICURIO_KAFKA_COMMON_SASL_CLIENT_CALLBACK_HANDLER_CLASS = "software.amazon.msk.auth.iam.IAMClientCallbackHandler"
    QUARKUS_HTTP_PORT                                        = tostring(local.port)
    AWS_REGION                                               = data.aws_region.current.region
  }
}

resource "aws_cloudwatch_log_group" "this" {
  name              = var.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

# Internal load balancer: only the scorer and operator security groups reach it. Schemas are not
# secret; their integrity rests on who may reach the API. Give certificate_arn to get HTTPS.
module "alb" {
  source = "../internal-alb"

  name                         = "${var.name}-registry"
  vpc_id                       = var.vpc_id
  subnet_ids                   = var.subnet_ids
  security_group_id            = var.alb_security_group_id
  certificate_arn              = var.certificate_arn
  hostname                     = var.hostname
  target_port                  = local.port
  deregistration_delay_seconds = 30
  health_check                 = { path = "/health/ready", interval_seconds = 15, unhealthy_threshold = 3 }
  deletion_protection          = var.deletion_protection
  tags                         = var.tags
}

resource "aws_ecs_task_definition" "this" {
  family                   = "${var.name}-registry"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory_mib
  execution_role_arn       = module.execution_role.arn
  task_role_arn            = module.task_role.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([{
    name                   = "registry"
    image                  = var.image
    essential              = true
    user                   = "1001" # the image's unprivileged user
    readonlyRootFilesystem = true
    portMappings           = [{ containerPort = local.port, protocol = "tcp" }]
    environment            = [for k in sort(keys(local.environment)) : { name = k, value = local.environment[k] }]
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    linuxParameters        = { initProcessEnabled = true, capabilities = { drop = ["ALL"] } }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = data.aws_region.current.region
        awslogs-stream-prefix = "registry"
      }
    }
  }])

  tags = var.tags
}

resource "aws_ecs_service" "this" {
  name                               = "${var.name}-registry"
  cluster                            = var.cluster_arn
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.desired_count
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  # KafkaSQL replays its journal topic at start before it answers as ready.
  health_check_grace_period_seconds = 180
  availability_zone_rebalancing     = "ENABLED"
  enable_ecs_managed_tags           = true
  propagate_tags                    = "SERVICE"

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
    target_group_arn = module.alb.target_group_arn
    container_name   = "registry"
    container_port   = local.port
  }

  tags = var.tags
}
