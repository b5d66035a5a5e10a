output "replication_group_id" {
  description = "Id of the replication group."
  value       = aws_elasticache_replication_group.this.id
}

output "configuration_endpoint" {
  description = "Cluster-mode configuration endpoint host."
  value       = aws_elasticache_replication_group.this.configuration_endpoint_address
}

output "port" {
  description = "Redis port."
  value       = aws_elasticache_replication_group.this.port
}

output "auth_token_secret_arn" {
  description = "Secrets Manager secret holding the AUTH token (plain string)."
  value       = aws_secretsmanager_secret.auth_token.arn
}

output "kms_key_arn" {
  description = "Key that encrypts the data and the auth token secret; readers of the secret need kms:Decrypt on it."
  value       = module.key.key_arn
}

output "scorer_environment" {
  description = "Redis settings of the scorer's container environment (the password comes as the REDIS_PASSWORD secret)."
  value = {
    REDIS_URL     = "rediss://${aws_elasticache_replication_group.this.configuration_endpoint_address}:${aws_elasticache_replication_group.this.port}"
    REDIS_CLUSTER = "true"
  }
}
