# --- Task role's policy: reads decisions and labels, reads and writes the model directories. The
# execution and task roles themselves are terraform/modules/ecs-service's (module.task).

module "model_access" {
  source = "../model-access"

  bucket_arn  = var.model.bucket_arn
  prefix      = var.model.prefix
  kms_key_arn = var.model.kms_key_arn
  write       = true
}

data "aws_iam_policy_document" "task" {
  source_policy_documents = [module.model_access.policy_json]

  statement {
    sid       = "ConnectToCluster"
    actions   = ["kafka-cluster:Connect"]
    resources = [var.kafka.cluster_arn]
  }

  statement {
    sid     = "ReadDecisionsAndLabels"
    actions = ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]
    resources = [
      "${var.kafka.topic_arn_prefix}/${var.kafka.decisions_topic}",
      "${var.kafka.topic_arn_prefix}/${var.kafka.labels_topic}",
    ]
  }

  statement {
    sid       = "ReaderGroups"
    actions   = ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
    resources = ["${var.kafka.group_arn_prefix}/${var.kafka.reader_group_prefix}*"]
  }
}

# --- Scheduler role: may start exactly this task definition and hand it its two roles.

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "RunRetrainerTask"
    actions   = ["ecs:RunTask"]
    resources = ["${module.task.task_definition_arn_without_revision}:*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.cluster_arn]
    }
  }

  statement {
    sid       = "PassTaskRoles"
    actions   = ["iam:PassRole"]
    resources = [module.task.execution_role_arn, module.task.task_role_arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid       = "TagTasks"
    actions   = ["ecs:TagResource"]
    resources = ["arn:aws:ecs:${local.region}:${data.aws_caller_identity.current.account_id}:task/*"]

    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RunTask"]
    }
  }
}

module "scheduler_role" {
  source = "../service-role"

  name     = "${var.name}-retrainer-scheduler"
  service  = "scheduler.amazonaws.com"
  policies = { run-retrainer = data.aws_iam_policy_document.scheduler.json }
  tags     = var.tags
}
