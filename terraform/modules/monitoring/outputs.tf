output "prometheus_workspace_arn" {
  description = "ARN of the Prometheus workspace (remote-write permission target)."
  value       = aws_prometheus_workspace.this.arn
}

output "prometheus_remote_write_url" {
  description = "Remote-write URL of the Prometheus workspace."
  value       = "${aws_prometheus_workspace.this.prometheus_endpoint}api/v1/remote_write"
}

output "prometheus_query_url" {
  description = "Query endpoint for Grafana's Prometheus data source (SigV4)."
  value       = aws_prometheus_workspace.this.prometheus_endpoint
}

output "grafana_url" {
  description = "URL of the Grafana workspace."
  value       = "https://${aws_grafana_workspace.this.endpoint}"
}

output "alarm_topic_arn" {
  description = "SNS topic that receives every alarm."
  value       = aws_sns_topic.alarms.arn
}

output "scorer_metrics" {
  description = "The CloudWatch metric contract the alarms read; the scorer's collector must publish it."
  value       = var.scorer_metrics
}
