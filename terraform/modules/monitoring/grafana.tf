data "aws_iam_policy_document" "grafana" {
  statement {
    sid       = "QueryThisWorkspace"
    actions   = ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"]
    resources = [aws_prometheus_workspace.this.arn]
  }

  # CloudWatch's read actions have no resource-level permissions: "*" is the only valid resource.
  # They are read-only and let dashboards show MSK lag and the alarms next to the scorer's metrics.
  statement {
    sid       = "ReadCloudWatchMetrics"
    actions   = ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmsForMetric"]
    resources = ["*"]
  }
}

module "grafana_role" {
  source = "../service-role"

  name     = "${var.name}-grafana"
  service  = "grafana.amazonaws.com"
  policies = { read-metrics = data.aws_iam_policy_document.grafana.json }
  tags     = var.tags
}

resource "aws_grafana_workspace" "this" {
  name                     = var.name
  description              = "Fraud scorer dashboards (${var.name})"
  account_access_type      = "CURRENT_ACCOUNT"
  authentication_providers = var.grafana_authentication_providers
  permission_type          = "CUSTOMER_MANAGED"
  role_arn                 = module.grafana_role.arn
  data_sources             = ["PROMETHEUS", "CLOUDWATCH"]
  grafana_version          = "10.4"
  tags                     = var.tags
}
