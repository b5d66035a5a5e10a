output "task_definition_arn" {
  description = "ARN of the task definition (latest revision)."
  value       = aws_ecs_task_definition.this.arn
}

output "task_definition_arn_without_revision" {
  description = "ARN of the task definition family (what a schedule starts)."
  value       = aws_ecs_task_definition.this.arn_without_revision
}

output "task_definition_family" {
  description = "Family of the task definition."
  value       = aws_ecs_task_definition.this.family
}

output "service_name" {
  description = "Name of the service (null for a scheduled task)."
  value       = one(aws_ecs_service.this[*].name)
}

output "execution_role_arn" {
  description = "Role ECS uses to pull the images, write logs and read the secrets."
  value       = module.execution_role.arn
}

output "task_role_arn" {
  description = "Role the containers run as."
  value       = module.task_role.arn
}

output "log_group_name" {
  description = "Log group of the task's containers."
  value       = aws_cloudwatch_log_group.this.name
}

output "autoscaling_target" {
  description = "The service's scalable target (namespace, dimension, resource id) for extra scaling policies; null without a service."
  value = one([for t in aws_appautoscaling_target.this : {
    service_namespace  = t.service_namespace
    scalable_dimension = t.scalable_dimension
    resource_id        = t.resource_id
  }])
}
