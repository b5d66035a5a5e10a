# The whole fraud scorer deployment, shared by envs/dev and envs/prod: each environment's root
# module calls this once with its own sizes and settings (and keeps the provider, backend and the
# command-line variables). Same topology everywhere: three zones, three brokers, Redis cluster mode
# with failover, so that what is tested in dev is what runs in prod. The scorer and the API are in
# scorer.tf and api.tf; the reusable pieces are the modules next to this one.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  region = data.aws_region.current.region

  input_topic    = "payments.transactions"
  consumer_group = "fraud-scorer"

  scorer_image = "${module.artifacts.repository_urls["scorer"]}:${var.images.scorer_tag}"
  # Sidecar images come through the ECR pull-through cache of public.ecr.aws.
  public_ecr       = "${module.artifacts.registry_host}/${module.artifacts.pull_through_cache_prefixes["public.ecr.aws"]}"
  model_sync_image = "${local.public_ecr}/aws-cli/aws-cli:${var.images.aws_cli_version}"
  collector_image  = "${local.public_ecr}/aws-observability/aws-otel-collector:${var.images.collector_version}"

  # The scorer and the API read the same model directories, mirrored into the same path.
  models_dir                  = "/app/models"
  model_sync_interval_seconds = 60
  log_retention_days          = 30

  scorer_environment = merge(module.msk.scorer_environment, module.redis.scorer_environment, {
    SCHEMA_REGISTRY_URL = module.registry.confluent_api_url
  })

  model = {
    bucket_arn  = module.artifacts.model_bucket_arn
    prefix      = "models/"
    kms_key_arn = module.artifacts.kms_key_arn
  }
}

module "network" {
  source = "../network"

  name                        = var.name
  vpc_cidr                    = var.network.vpc_cidr
  nat_gateway_count           = var.network.nat_gateway_count
  interface_endpoint_az_count = var.network.interface_endpoint_az_count
  flow_log_retention_days     = var.network.flow_log_retention_days
  registry_listener_port      = var.registry.certificate_arn == null ? 80 : 443
  api_listener_port           = var.api.certificate_arn == null ? 80 : 443
}

module "artifacts" {
  source = "../artifacts"

  name              = var.name
  model_bucket_name = coalesce(var.model_bucket_name, "${var.name}-models-${data.aws_caller_identity.current.account_id}")
}

module "msk" {
  source = "../msk"

  name                = var.name
  instance_type       = var.msk.instance_type
  volume_size_gib     = var.msk.volume_size_gib
  max_volume_size_gib = var.msk.max_volume_size_gib
  subnet_ids          = module.network.data_subnet_ids
  security_group_id   = module.network.security_group_ids["msk"]
}

module "redis" {
  source = "../redis"

  name                    = "${var.name}-features"
  node_type               = var.redis.node_type
  shard_count             = var.redis.shard_count
  replicas_per_shard      = var.redis.replicas_per_shard
  snapshot_retention_days = var.redis.snapshot_retention_days
  subnet_ids              = module.network.data_subnet_ids
  security_group_id       = module.network.security_group_ids["redis"]
}

module "monitoring" {
  source = "../monitoring"

  name             = var.name
  alarm_emails     = var.alarm_emails
  msk_cluster_name = module.msk.cluster_name
  consumer_group   = local.consumer_group
  input_topic      = local.input_topic
  alarm_when_idle  = var.alarm_when_idle
}

module "registry" {
  source = "../registry"

  name                   = var.name
  image                  = "${module.artifacts.repository_urls["registry"]}:${var.images.registry_tag}"
  image_repository_arns  = [module.artifacts.repository_arns["registry"]]
  cluster_arn            = aws_ecs_cluster.this.arn
  desired_count          = var.registry.task_count
  vpc_id                 = module.network.vpc_id
  subnet_ids             = module.network.task_subnet_ids
  alb_security_group_id  = module.network.security_group_ids["registry_alb"]
  task_security_group_id = module.network.security_group_ids["registry"]
  certificate_arn        = var.registry.certificate_arn
  hostname               = var.registry.hostname
  log_group_name         = "/ecs/${var.name}/registry"
  log_kms_key_arn        = module.ecs_logs_key.key_arn
  deletion_protection    = var.deletion_protection

  kafka = {
    bootstrap_brokers_sasl_iam = module.msk.bootstrap_brokers_sasl_iam
    cluster_arn                = module.msk.cluster_arn
    topic_arn_prefix           = module.msk.topic_arn_prefix
    group_arn_prefix           = module.msk.group_arn_prefix
  }
}

# The feedback loop's scheduled job (services/retrainer): hourly it checks the retrain triggers,
# retrains from logged features + labels when one fires, and runs the promotion gate. Created when
# images.retrainer_tag is set.
module "retrainer" {
  source = "../ecs-retrainer"
  count  = var.images.retrainer_tag == null ? 0 : 1

  name                                 = var.name
  cluster_arn                          = aws_ecs_cluster.this.arn
  image                                = "${module.artifacts.repository_urls["scorer"]}:${var.images.retrainer_tag}"
  ecr_repository_arn                   = module.artifacts.repository_arns["scorer"]
  model_sync_image                     = local.model_sync_image
  pull_through_repository_arn_patterns = module.artifacts.pull_through_cache_repository_arn_patterns

  subnet_ids        = module.network.task_subnet_ids
  security_group_id = module.network.security_group_ids["scorer"] # same egress: MSK, registry, S3
  environment = merge(module.msk.scorer_environment, {
    SCHEMA_REGISTRY_URL = module.registry.confluent_api_url
  })

  kafka = {
    cluster_arn      = module.msk.cluster_arn
    topic_arn_prefix = module.msk.topic_arn_prefix
    group_arn_prefix = module.msk.group_arn_prefix
  }

  model           = local.model
  log_kms_key_arn = module.ecs_logs_key.key_arn
  tags            = var.tags
}
