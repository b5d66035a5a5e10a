output "container" {
  description = "Container definition of the sidecar (without logConfiguration). It writes the task volumes models and sync-tmp."
  value       = local.container
}

output "volumes" {
  description = "Task volumes the sidecar needs."
  value       = ["models", "sync-tmp"]
}
