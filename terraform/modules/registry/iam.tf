module "execution_policy" {
  source = "../ecs-execution-policy"

  image_repository_arns = var.image_repository_arns
  log_group_arn         = aws_cloudwatch_log_group.this.arn
}

module "execution_role" {
  source = "../service-role"

  name     = "${var.name}-registry-execution"
  service  = "ecs-tasks.amazonaws.com"
  policies = { pull-log = module.execution_policy.json }
  tags     = var.tags
}

locals {
  storage_topic_arns = [for t in [var.kafka.journal_topic, var.kafka.snapshots_topic] : "${var.kafka.topic_arn_prefix}/${t}"]
}

# KafkaSQL keeps the registry's state in two topics it creates itself at first start, and each
# replica consumes them in its own group (prefix + random id).
data "aws_iam_policy_document" "task" {
  statement {
    sid       = "Connect"
    actions   = ["kafka-cluster:Connect", "kafka-cluster:WriteDataIdempotently"]
    resources = [var.kafka.cluster_arn]
  }

  statement {
    sid = "StorageTopics"
    actions = [
      "kafka-cluster:CreateTopic",
      "kafka-cluster:DescribeTopic",
      "kafka-cluster:DescribeTopicDynamicConfiguration",
      "kafka-cluster:ReadData",
      "kafka-cluster:WriteData",
    ]
    resources = local.storage_topic_arns
  }

  statement {
    sid       = "OwnConsumerGroups"
    actions   = ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
    resources = ["${var.kafka.group_arn_prefix}/${var.kafka.consumer_group_prefix}*"]
  }
}

module "task_role" {
  source = "../service-role"

  name     = "${var.name}-registry-task"
  service  = "ecs-tasks.amazonaws.com"
  policies = { kafkasql-storage = data.aws_iam_policy_document.task.json }
  tags     = var.tags
}
