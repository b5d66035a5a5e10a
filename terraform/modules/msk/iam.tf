locals {
  # MSK IAM resource ARNs share the cluster's name/uuid path:
  # arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> -> .../topic/<name>/<uuid>/<topic>
  topic_arn_prefix         = replace(aws_msk_cluster.this.arn, ":cluster/", ":topic/")
  group_arn_prefix         = replace(aws_msk_cluster.this.arn, ":cluster/", ":group/")
  transactional_arn_prefix = replace(aws_msk_cluster.this.arn, ":cluster/", ":transactional-id/")
  managed_topic_arns       = [for t in keys(var.topics) : "${local.topic_arn_prefix}/${t}"]
}

# Attach to the operators' role (or the CloudShell user) that runs topic_create_commands: it may
# create and inspect exactly the topics above and nothing else.
data "aws_iam_policy_document" "topic_admin" {
  statement {
    sid       = "Connect"
    actions   = ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"]
    resources = [aws_msk_cluster.this.arn]
  }

  statement {
    sid = "ManageTopics"
    actions = [
      "kafka-cluster:CreateTopic",
      "kafka-cluster:DescribeTopic",
      "kafka-cluster:AlterTopic",
      "kafka-cluster:DescribeTopicDynamicConfiguration",
      "kafka-cluster:AlterTopicDynamicConfiguration",
    ]
    resources = local.managed_topic_arns
  }
}

resource "aws_iam_policy" "topic_admin" {
  name        = "${var.name}-msk-topic-admin"
  description = "Create and configure the fraud scorer's topics on ${var.name}"
  policy      = data.aws_iam_policy_document.topic_admin.json
  tags        = var.tags
}
