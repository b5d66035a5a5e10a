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
  value       = aws_ecs_service.scorer.name
}

output "task_role_arn" {
  description = "Role the scorer runs as (MSK, model bucket, metrics)."
  value       = aws_iam_role.task.arn
}

output "execution_role_arn" {
  description = "Role ECS uses to pull the image, write logs and read the secrets."
  value       = aws_iam_role.execution.arn
}

output "log_group_name" {
  description = "Log group of the scorer and its collector."
  value       = aws_cloudwatch_log_group.scorer.name
}

output "logs_kms_key_arn" {
  description = "Key for log groups under /ecs/<name>/ (shared with the registry)."
  value       = module.logs_key.key_arn
}

output "autoscaling" {
  description = "Task count bounds."
  value       = { min = var.min_tasks, max = var.max_tasks, partitions = var.partition_count }
}
