output "url" {
  description = "Base URL of the API inside the VPC (POST <url>/v1/score)."
  value       = module.alb.base_url
}

output "load_balancer_dns_name" {
  description = "DNS name of the internal load balancer (target of a private hosted zone record)."
  value       = module.alb.dns_name
}

output "listener_port" {
  description = "Port of the load balancer listener."
  value       = module.alb.listener_port
}

output "api_keys_secret_arn" {
  description = "Secrets Manager secret holding API_KEYS (comma-separated); give its value to the callers."
  value       = aws_secretsmanager_secret.api_keys.arn
}

output "service_name" {
  description = "Name of the API service."
  value       = module.service.service_name
}

output "autoscaling" {
  description = "Task count bounds and the request-count target."
  value       = { min = var.min_tasks, max = var.max_tasks, requests_per_target_per_minute = var.requests_per_target_per_minute }
}
