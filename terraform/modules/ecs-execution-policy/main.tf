# The execution role's policy of an ECS task: what ECS itself does before the containers run (pull
# the images, write the logs, read the secrets). No resources: terraform/modules/ecs-service and the
# registry attach the JSON to their execution roles.

data "aws_region" "current" {}

data "aws_iam_policy_document" "this" {
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
    resources = concat(var.image_repository_arns, var.pull_through_repository_arn_patterns)
  }

  # The first pull of a mirrored image creates its cache repository.
  dynamic "statement" {
    for_each = length(var.pull_through_repository_arn_patterns) > 0 ? [1] : []

    content {
      sid       = "FillPullThroughCache"
      actions   = ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]
      resources = var.pull_through_repository_arn_patterns
    }
  }

  statement {
    sid       = "WriteTaskLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${var.log_group_arn}:*"]
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
        values   = ["secretsmanager.${data.aws_region.current.region}.amazonaws.com"]
      }
    }
  }
}
