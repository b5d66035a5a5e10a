# The task role's policy: what the scorer and its sidecars do at run time. The roles themselves
# (and the execution role's policy) are terraform/modules/ecs-service's.

locals {
  input_topic_arn   = "${var.kafka.topic_arn_prefix}/${var.kafka.input_topic}"
  output_topic_arns = [for t in var.kafka.output_topics : "${var.kafka.topic_arn_prefix}/${t}"]
  group_arn         = "${var.kafka.group_arn_prefix}/${var.kafka.consumer_group}"
  # The scorer's transactional id is <prefix>-<instance id>, one per task.
  transactional_id_arn = "${var.kafka.transactional_id_arn_prefix}/${var.kafka.transactional_id_prefix}-*"
}

# The model-sync sidecar mirrors the model directories.
module "model_access" {
  source = "../model-bucket-access"

  bucket_arn  = var.model.bucket_arn
  prefix      = var.model.prefix
  kms_key_arn = var.model.kms_key_arn
}

data "aws_iam_policy_document" "task" {
  source_policy_documents = [module.model_access.json]

  statement {
    sid = "ConnectToCluster"
    # Transactional producers are idempotent producers.
    actions   = ["kafka-cluster:Connect", "kafka-cluster:WriteDataIdempotently"]
    resources = [var.kafka.cluster_arn]
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
    resources = [var.metrics.prometheus_workspace_arn]
  }

  statement {
    sid       = "PublishEmbeddedMetrics"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = [aws_cloudwatch_log_group.metrics.arn, "${aws_cloudwatch_log_group.metrics.arn}:*"]
  }
}
