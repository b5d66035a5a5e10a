# Production: sized for 10K+ transactions per second (see terraform/README.md for the arithmetic
# and the monthly estimate).

data "aws_caller_identity" "current" {}

locals {
  name = "fraud-prod"
  tags = {
    Project     = "fraud-scorer"
    Environment = "prod"
    ManagedBy   = "terraform"
  }

  input_topic    = "payments.transactions"
  consumer_group = "fraud-scorer"
}

module "network" {
  source = "../../modules/network"

  name                        = local.name
  vpc_cidr                    = "10.40.0.0/16"
  nat_gateway_count           = 3
  interface_endpoint_az_count = 3
  flow_log_retention_days     = 90
  registry_listener_port      = var.registry_certificate_arn == null ? 80 : 443
  api_listener_port           = var.api_certificate_arn == null ? 80 : 443
}

module "artifacts" {
  source = "../../modules/artifacts"

  name              = local.name
  model_bucket_name = coalesce(var.model_bucket_name, "${local.name}-models-${data.aws_caller_identity.current.account_id}")
}

module "msk" {
  source = "../../modules/msk"

  name                = local.name
  instance_type       = "kafka.m7g.large"
  volume_size_gib     = 500
  max_volume_size_gib = 2000
  subnet_ids          = module.network.data_subnet_ids
  security_group_id   = module.network.security_group_ids["msk"]
}

module "redis" {
  source = "../../modules/redis"

  name                    = "${local.name}-features"
  node_type               = "cache.m7g.large"
  shard_count             = 3
  replicas_per_shard      = 1
  snapshot_retention_days = 1
  subnet_ids              = module.network.data_subnet_ids
  security_group_id       = module.network.security_group_ids["redis"]
}

module "monitoring" {
  source = "../../modules/monitoring"

  name             = local.name
  alarm_emails     = var.alarm_emails
  msk_cluster_name = module.msk.cluster_name
  consumer_group   = local.consumer_group
  input_topic      = local.input_topic
}

module "scorer" {
  source = "../../modules/ecs-scorer"

  name                                 = local.name
  image                                = "${module.artifacts.repository_urls["scorer"]}:${var.scorer_image_tag}"
  ecr_repository_arn                   = module.artifacts.repository_arns["scorer"]
  collector_image                      = "${module.artifacts.registry_host}/${module.artifacts.pull_through_cache_prefixes["public.ecr.aws"]}/aws-observability/aws-otel-collector:${var.collector_version}"
  model_sync_image                     = "${module.artifacts.registry_host}/${module.artifacts.pull_through_cache_prefixes["public.ecr.aws"]}/aws-cli/aws-cli:${var.aws_cli_version}"
  pull_through_repository_arn_patterns = module.artifacts.pull_through_cache_repository_arn_patterns

  task_cpu        = 2048
  task_memory_mib = 4096
  partition_count = module.msk.topics[local.input_topic].partitions
  min_tasks       = 3
  max_tasks       = 12

  subnet_ids        = module.network.task_subnet_ids
  security_group_id = module.network.security_group_ids["scorer"]

  environment = merge(module.msk.scorer_environment, module.redis.scorer_environment, {
    SCHEMA_REGISTRY_URL = module.registry.confluent_api_url
  })
  secrets             = { REDIS_PASSWORD = module.redis.auth_token_secret_arn }
  secret_kms_key_arns = [module.redis.kms_key_arn]

  kafka = {
    cluster_arn                 = module.msk.cluster_arn
    cluster_name                = module.msk.cluster_name
    topic_arn_prefix            = module.msk.topic_arn_prefix
    group_arn_prefix            = module.msk.group_arn_prefix
    transactional_id_arn_prefix = module.msk.transactional_id_arn_prefix
    input_topic                 = local.input_topic
    consumer_group              = local.consumer_group
  }

  model = {
    bucket_arn  = module.artifacts.model_bucket_arn
    kms_key_arn = module.artifacts.kms_key_arn
  }

  metrics = {
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

module "registry" {
  source = "../../modules/registry"

  name                   = local.name
  image                  = "${module.artifacts.repository_urls["registry"]}:${var.registry_image_tag}"
  image_repository_arns  = [module.artifacts.repository_arns["registry"]]
  cluster_arn            = module.scorer.cluster_arn
  desired_count          = 2
  vpc_id                 = module.network.vpc_id
  subnet_ids             = module.network.task_subnet_ids
  alb_security_group_id  = module.network.security_group_ids["registry_alb"]
  task_security_group_id = module.network.security_group_ids["registry"]
  certificate_arn        = var.registry_certificate_arn
  hostname               = var.registry_hostname
  log_group_name         = "/ecs/${local.name}/registry"
  log_kms_key_arn        = module.scorer.logs_kms_key_arn

  kafka = {
    bootstrap_brokers_sasl_iam = module.msk.bootstrap_brokers_sasl_iam
    cluster_arn                = module.msk.cluster_arn
    topic_arn_prefix           = module.msk.topic_arn_prefix
    group_arn_prefix           = module.msk.group_arn_prefix
  }
}

# The synchronous scoring API: the scorer's image, Redis state and model bucket, behind an internal
# load balancer that only the api_clients security group (payment gateways) and operators reach.
module "api" {
  source = "../../modules/ecs-api"

  name                                 = local.name
  image                                = "${module.artifacts.repository_urls["scorer"]}:${var.scorer_image_tag}"
  ecr_repository_arn                   = module.artifacts.repository_arns["scorer"]
  model_sync_image                     = "${module.artifacts.registry_host}/${module.artifacts.pull_through_cache_prefixes["public.ecr.aws"]}/aws-cli/aws-cli:${var.aws_cli_version}"
  pull_through_repository_arn_patterns = module.artifacts.pull_through_cache_repository_arn_patterns
  cluster_arn                          = module.scorer.cluster_arn
  cluster_name                         = module.scorer.cluster_name

  task_cpu        = 2048
  task_memory_mib = 4096
  min_tasks       = 3
  max_tasks       = 12

  vpc_id                 = module.network.vpc_id
  subnet_ids             = module.network.task_subnet_ids
  alb_security_group_id  = module.network.security_group_ids["api_alb"]
  task_security_group_id = module.network.security_group_ids["api"]
  certificate_arn        = var.api_certificate_arn
  hostname               = var.api_hostname

  # The scorer's Redis settings: the two paths must share the feature state.
  environment         = module.redis.scorer_environment
  secrets             = { REDIS_PASSWORD = module.redis.auth_token_secret_arn }
  secret_kms_key_arns = [module.redis.kms_key_arn]

  model = {
    bucket_arn  = module.artifacts.model_bucket_arn
    kms_key_arn = module.artifacts.kms_key_arn
  }

  log_kms_key_arn             = module.scorer.logs_kms_key_arn
  deletion_protection         = true
  secret_recovery_window_days = 30
}
