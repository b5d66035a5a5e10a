output "ecr_repository_urls" {
  description = "Push the scorer and registry images here."
  value       = module.stack.ecr_repository_urls
}

output "model_bucket" {
  description = "Bucket for model directories (upload under models/)."
  value       = module.stack.model_bucket
}

output "msk_bootstrap_brokers_sasl_iam" {
  description = "MSK bootstrap brokers for SASL/IAM over TLS."
  value       = module.stack.msk_bootstrap_brokers_sasl_iam
}

output "msk_topic_create_commands" {
  description = "Commands that create the topics (see terraform/README.md)."
  value       = module.stack.msk_topic_create_commands
}

output "msk_topic_admin_policy_arn" {
  description = "Attach to the operator role that creates topics."
  value       = module.stack.msk_topic_admin_policy_arn
}

output "scorer_environment" {
  description = "Plain environment of the scorer task (secrets excluded)."
  value       = module.stack.scorer_environment
}

output "redis_auth_token_secret_arn" {
  description = "Secret holding the Redis AUTH token."
  value       = module.stack.redis_auth_token_secret_arn
}

output "schema_registry_url" {
  description = "Registry base URL inside the VPC."
  value       = module.stack.schema_registry_url
}

output "ecs_cluster" {
  description = "ECS cluster name."
  value       = module.stack.ecs_cluster
}

output "scorer_service" {
  description = "Scorer ECS service name."
  value       = module.stack.scorer_service
}

output "admin_security_group_id" {
  description = "Security group for the operators' CloudShell VPC environment."
  value       = module.stack.admin_security_group_id
}

output "admin_subnet_ids" {
  description = "Subnets for the operators' CloudShell VPC environment."
  value       = module.stack.admin_subnet_ids
}

output "grafana_url" {
  description = "Amazon Managed Grafana workspace."
  value       = module.stack.grafana_url
}

output "prometheus_query_url" {
  description = "Prometheus workspace query endpoint (Grafana data source)."
  value       = module.stack.prometheus_query_url
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.stack.alarm_topic_arn
}

output "api_url" {
  description = "Base URL of the scoring API inside the VPC (POST <url>/v1/score)."
  value       = module.stack.api_url
}

output "api_keys_secret_arn" {
  description = "Secrets Manager secret with the scoring API's keys (API_KEYS, comma-separated)."
  value       = module.stack.api_keys_secret_arn
}

output "api_clients_security_group_id" {
  description = "Attach to the payment gateways that call the scoring API."
  value       = module.stack.api_clients_security_group_id
}
