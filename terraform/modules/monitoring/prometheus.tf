data "aws_region" "current" {}

locals {
  p99_expr = "histogram_quantile(0.99, sum by (le) (rate(${local.m.latency_histogram}_bucket{service=\"${local.m.service}\", from=\"${local.m.latency_from}\"}[5m])))"
}

resource "aws_prometheus_rule_group_namespace" "scorer" {
  name         = "fraud-scorer"
  workspace_id = aws_prometheus_workspace.this.id
  data = yamlencode({
    groups = [{
      name = "fraud-scorer"
      rules = [{
        alert  = "FraudScorerP99LatencyHigh"
        expr   = "${local.p99_expr} > ${var.thresholds.p99_latency_seconds}"
        for    = "5m"
        labels = { severity = "page" }
        annotations = {
          summary     = "Fraud scorer p99 latency above ${var.thresholds.p99_latency_seconds}s"
          description = "p99 from broker append to produced decision, over all tasks, for 5 minutes."
        }
      }]
    }]
  })
}

# Alerts from the rules above go to the same topic as the CloudWatch alarms.
resource "aws_prometheus_alert_manager_definition" "this" {
  workspace_id = aws_prometheus_workspace.this.id
  definition = yamlencode({
    alertmanager_config = yamlencode({
      route = { receiver = "sns", group_by = ["alertname"] }
      receivers = [{
        name = "sns"
        sns_configs = [{
          topic_arn = aws_sns_topic.alarms.arn
          sigv4     = { region = data.aws_region.current.region }
          subject   = "${var.name}: {{ .CommonLabels.alertname }}"
        }]
      }]
    })
  })
}
