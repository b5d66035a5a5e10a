locals {
  log_group_name = "/msk/${var.name}/brokers"
}

module "key" {
  source = "../kms-key"

  alias                   = "${var.name}/msk"
  description             = "MSK ${var.name}: broker volumes and broker logs"
  log_group_name_prefixes = [local.log_group_name]
  tags                    = var.tags
}

resource "aws_cloudwatch_log_group" "brokers" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = module.key.key_arn
  tags              = var.tags
}

resource "aws_msk_configuration" "this" {
  # The name carries the settings' hash: MSK configurations cannot be deleted while a cluster uses
  # them, so a change creates a new one and the cluster moves to it.
  name           = "${var.name}-${substr(sha1(local.server_properties), 0, 8)}"
  kafka_versions = [var.kafka_version]
  description    = "Broker settings of ${var.name}"

  server_properties = local.server_properties

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  # Topics are created on purpose (see topic_create_commands), never by a typo in a client; every
  # write survives one broker loss (RF 3, min ISR 2) and the scorer's transactions get the same.
  server_properties = <<-PROPERTIES
    auto.create.topics.enable=false
    default.replication.factor=3
    min.insync.replicas=2
    num.partitions=12
    unclean.leader.election.enable=false
    offsets.topic.replication.factor=3
    transaction.state.log.replication.factor=3
    transaction.state.log.min.isr=2
    log.retention.hours=168
  PROPERTIES
}

resource "aws_msk_cluster" "this" {
  cluster_name           = var.name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = var.broker_count
  enhanced_monitoring    = var.enhanced_monitoring

  broker_node_group_info {
    instance_type   = var.instance_type
    client_subnets  = var.subnet_ids
    security_groups = [var.security_group_id]

    storage_info {
      ebs_storage_info {
        volume_size = var.volume_size_gib
      }
    }
  }

  client_authentication {
    unauthenticated = false

    sasl {
      iam = true
    }
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = module.key.key_arn

    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.this.arn
    revision = aws_msk_configuration.this.latest_revision
  }

  logging_info {
    broker_logs {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.brokers.name
      }
    }
  }

  tags = var.tags

  lifecycle {
    # Storage autoscaling grows the volumes; Terraform must not shrink them back (and cannot: EBS
    # volumes only grow).
    ignore_changes = [broker_node_group_info[0].storage_info[0].ebs_storage_info[0].volume_size]
  }
}

locals {
  # MSK offers no storage autoscaling for burstable (kafka.t3) brokers.
  storage_autoscaling = !startswith(var.instance_type, "kafka.t3.")
}

resource "aws_appautoscaling_target" "storage" {
  count              = local.storage_autoscaling ? 1 : 0
  service_namespace  = "kafka"
  scalable_dimension = "kafka:broker-storage:VolumeSize"
  resource_id        = aws_msk_cluster.this.arn
  min_capacity       = 1
  max_capacity       = var.max_volume_size_gib
}

resource "aws_appautoscaling_policy" "storage" {
  count              = local.storage_autoscaling ? 1 : 0
  name               = "${var.name}-broker-storage"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.storage[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.storage[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.storage[0].resource_id

  target_tracking_scaling_policy_configuration {
    target_value     = 70
    disable_scale_in = true

    predefined_metric_specification {
      predefined_metric_type = "KafkaBrokerStorageUtilization"
    }
  }
}
