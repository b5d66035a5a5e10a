output "url" {
  description = "Base URL of the registry inside the VPC."
  value       = module.alb.base_url
}

output "confluent_api_url" {
  description = "Confluent-compatible API base URL (the scorer's SCHEMA_REGISTRY_URL)."
  value       = "${module.alb.base_url}/apis/ccompat/v7"
}

output "load_balancer_dns_name" {
  description = "DNS name of the internal load balancer (target of a private hosted zone record)."
  value       = module.alb.dns_name
}

output "listener_port" {
  description = "Port of the load balancer listener."
  value       = module.alb.listener_port
}

output "service_name" {
  description = "Name of the registry service."
  value       = aws_ecs_service.this.name
}
