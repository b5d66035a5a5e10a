# Production: sized for 10K+ transactions per second (see terraform/README.md for the arithmetic
# and the monthly estimate).

locals {
  tags = {
    Project     = "fraud-scorer"
    Environment = "prod"
    ManagedBy   = "terraform"
  }
}

module "stack" {
  source = "../../modules/stack"

  name = "fraud-prod"
  tags = local.tags

  images = {
    scorer_tag        = var.scorer_image_tag
    registry_tag      = var.registry_image_tag
    collector_version = var.collector_version
    aws_cli_version   = var.aws_cli_version
  }

  network  = { vpc_cidr = "10.40.0.0/16", nat_gateway_count = 3, interface_endpoint_az_count = 3, flow_log_retention_days = 90 }
  msk      = { instance_type = "kafka.m7g.large", volume_size_gib = 500, max_volume_size_gib = 2000 }
  redis    = { node_type = "cache.m7g.large", shard_count = 3, snapshot_retention_days = 1 }
  scorer   = { task_cpu = 2048, task_memory_mib = 4096, min_tasks = 3, max_tasks = 12 }
  api      = { task_cpu = 2048, task_memory_mib = 4096, min_tasks = 3, max_tasks = 12, certificate_arn = var.api_certificate_arn, hostname = var.api_hostname }
  registry = { task_count = 2, certificate_arn = var.registry_certificate_arn, hostname = var.registry_hostname }

  model_bucket_name = var.model_bucket_name
  alarm_emails      = var.alarm_emails
}
