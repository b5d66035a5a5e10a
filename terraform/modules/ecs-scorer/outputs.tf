output "cluster_arn" {
  description = "ARN of the ECS cluster (the registry runs in it too)."
  value       = aws_ecs_cluster.this.arn
}

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "service_name" {
  description = "Name of the scorer service."
  value       = module.service.service_name
}

output "task_role_arn" {
  description = "Role the scorer runs as (MSK, model bucket, metrics)."
  value       = module.service.task_role_arn
}

output "execution_role_arn" {
  description = "Role ECS uses to pull the image, write logs and read the secrets."
  value       = module.service.execution_role_arn
}

output "log_group_name" {
  description = "Log group of the scorer and its collector."
  value       = module.service.log_group_name
}

output "logs_kms_key_arn" {
  description = "Key for log groups under /ecs/<name>/ (shared with the registry)."
  value       = module.logs_key.key_arn
}

output "autoscaling" {
  description = "Task count bounds."
  value       = { min = var.min_tasks, max = var.max_tasks, partitions = var.partition_count }
}
