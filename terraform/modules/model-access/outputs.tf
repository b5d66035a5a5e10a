output "policy_json" {
  description = "Policy JSON with the ListModels, Read(Write)Models and (Encrypt)DecryptModels statements."
  value       = data.aws_iam_policy_document.this.json
}

output "sync_container" {
  description = "Container definition of the model-sync sidecar (without logConfiguration; null without sync). It writes the task volumes models and sync-tmp."
  value       = var.sync == null ? null : local.sync_container
}

output "sync_volumes" {
  description = "Task volumes the sidecar needs (none without sync)."
  value       = var.sync == null ? [] : ["models", "sync-tmp"]
}
