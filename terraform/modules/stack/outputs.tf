output "ecr_repository_urls" {
  description = "Push the scorer and registry images here."
  value       = module.artifacts.repository_urls
}

output "model_bucket" {
  description = "Bucket for model directories (upload under models/)."
  value       = module.artifacts.model_bucket_name
}

output "msk_bootstrap_brokers_sasl_iam" {
  description = "MSK bootstrap brokers for SASL/IAM over TLS."
  value       = module.msk.bootstrap_brokers_sasl_iam
}

output "msk_topic_create_commands" {
  description = "Commands that create the topics (see terraform/README.md)."
  value       = module.msk.topic_create_commands
}

output "msk_topic_admin_policy_arn" {
  description = "Attach to the operator role that creates topics."
  value       = module.msk.topic_admin_policy_arn
}

output "scorer_environment" {
  description = "Plain environment of the scorer task (secrets excluded)."
  value       = local.scorer_environment
}

output "redis_auth_token_secret_arn" {
  description = "Secret holding the Redis AUTH token."
  value       = module.redis.auth_token_secret_arn
}

output "schema_registry_url" {
  description = "Registry base URL inside the VPC."
  value       = module.registry.url
}

output "ecs_cluster" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "scorer_service" {
  description = "Scorer ECS service name."
  value       = module.scorer_service.service_name
}

output "admin_security_group_id" {
  description = "Security group for the operators' CloudShell VPC environment."
  value       = module.network.security_group_ids["msk_admin"]
}

output "admin_subnet_ids" {
  description = "Subnets for the operators' CloudShell VPC environment."
  value       = module.network.task_subnet_ids
}

output "grafana_url" {
  description = "Amazon Managed Grafana workspace."
  value       = module.monitoring.grafana_url
}

output "prometheus_query_url" {
  description = "Prometheus workspace query endpoint (Grafana data source)."
  value       = module.monitoring.prometheus_query_url
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.monitoring.alarm_topic_arn
}

output "api_url" {
  description = "Base URL of the scoring API inside the VPC (POST <url>/v1/score)."
  value       = module.api_alb.base_url
}

output "api_keys_secret_arn" {
  description = "Secrets Manager secret with the scoring API's keys (API_KEYS, comma-separated)."
  value       = aws_secretsmanager_secret.api_keys.arn
}

output "api_clients_security_group_id" {
  description = "Attach to the payment gateways that call the scoring API."
  value       = module.network.security_group_ids["api_clients"]
}
