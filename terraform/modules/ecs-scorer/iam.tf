data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

# --- Execution role: what ECS itself does before the containers run.

resource "aws_iam_role" "execution" {
  name               = "${var.name}-scorer-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "execution" {
  # GetAuthorizationToken has no resource-level permissions; it only yields a registry login, the
  # pull itself is limited by the next statement.
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullOwnImages"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = concat([var.ecr_repository_arn], var.pull_through_repository_arn_patterns)
  }

  # The first pull of a mirrored image creates its cache repository.
  statement {
    sid       = "FillPullThroughCache"
    actions   = ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]
    resources = var.pull_through_repository_arn_patterns
  }

  statement {
    sid       = "WriteTaskLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.scorer.arn}:*"]
  }

  dynamic "statement" {
    for_each = length(var.secrets) > 0 ? [1] : []

    content {
      sid       = "ReadContainerSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = distinct(values(var.secrets))
    }
  }

  dynamic "statement" {
    for_each = length(var.secret_kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "DecryptContainerSecrets"
      actions   = ["kms:Decrypt"]
      resources = var.secret_kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# --- Task role: what the scorer and its collector do at run time.

resource "aws_iam_role" "task" {
  name               = "${var.name}-scorer-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

locals {
  input_topic_arn   = "${var.kafka.topic_arn_prefix}/${var.kafka.input_topic}"
  output_topic_arns = [for t in var.kafka.output_topics : "${var.kafka.topic_arn_prefix}/${t}"]
  group_arn         = "${var.kafka.group_arn_prefix}/${var.kafka.consumer_group}"
  # The scorer's transactional id is <prefix>-<instance id>, one per task.
  transactional_id_arn = "${var.kafka.transactional_id_arn_prefix}/${var.kafka.transactional_id_prefix}-*"
}

data "aws_iam_policy_document" "task" {
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

  # The model-sync sidecar mirrors the model directories.
  statement {
    sid       = "ListModels"
    actions   = ["s3:ListBucket"]
    resources = [var.model.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.model.prefix}*"]
    }
  }

  statement {
    sid       = "ReadModels"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${var.model.bucket_arn}/${var.model.prefix}*"]
  }

  statement {
    sid       = "DecryptModels"
    actions   = ["kms:Decrypt"]
    resources = [var.model.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
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

resource "aws_iam_role_policy" "task" {
  name   = "kafka-models-metrics"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}
