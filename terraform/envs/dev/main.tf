# Development: the same topology as production (three zones, three brokers, Redis cluster mode with
# failover) on the smallest sizes that keep it, so that what is tested here is what runs in prod.

locals {
  tags = {
    Project     = "fraud-scorer"
    Environment = "dev"
    ManagedBy   = "terraform"
  }
}

module "stack" {
  source = "../../modules/stack"

  name = "fraud-dev"
  tags = local.tags

  images = {
    scorer_tag        = var.scorer_image_tag
    registry_tag      = var.registry_image_tag
    retrainer_tag     = var.retrainer_image_tag
    collector_version = var.collector_version
    aws_cli_version   = var.aws_cli_version
  }

  network  = { vpc_cidr = "10.41.0.0/16", nat_gateway_count = 1, interface_endpoint_az_count = 1, flow_log_retention_days = 14 }
  msk      = { instance_type = "kafka.t3.small", volume_size_gib = 50, max_volume_size_gib = 200 }
  redis    = { node_type = "cache.t4g.small", shard_count = 1, snapshot_retention_days = 0 }
  scorer   = { task_cpu = 1024, task_memory_mib = 2048, min_tasks = 1, max_tasks = 3 }
  api      = { task_cpu = 1024, task_memory_mib = 2048, min_tasks = 1, max_tasks = 3, certificate_arn = var.api_certificate_arn, hostname = var.api_hostname }
  registry = { task_count = 1, certificate_arn = var.registry_certificate_arn, hostname = var.registry_hostname }

  model_bucket_name           = var.model_bucket_name
  alarm_emails                = var.alarm_emails
  alarm_when_idle             = false # no steady traffic in dev
  deletion_protection         = false
  secret_recovery_window_days = 0
}
