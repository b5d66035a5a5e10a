output "task_definition_family" {
  description = "Family of the retrainer task definition (run it by hand with aws ecs run-task)."
  value       = module.task.task_definition_family
}

output "schedule_name" {
  description = "Name of the EventBridge Scheduler schedule."
  value       = aws_scheduler_schedule.retrainer.name
}

output "task_role_arn" {
  description = "Role the retrainer runs as (MSK read, model bucket read/write)."
  value       = module.task.task_role_arn
}
