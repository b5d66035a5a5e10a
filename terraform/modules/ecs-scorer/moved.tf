# The service, its roles, log group and CPU policy moved into terraform/modules/ecs-service
# (module.service): these blocks keep an existing deployment's objects instead of destroying and
# recreating them (see terraform/README.md, "Refactoring without replacement").

moved {
  from = aws_cloudwatch_log_group.scorer
  to   = module.service.aws_cloudwatch_log_group.this
}

moved {
  from = aws_iam_role.execution
  to   = module.service.module.execution_role.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.execution
  to   = module.service.module.execution_role.aws_iam_role_policy.this["pull-log-secrets"]
}

moved {
  from = aws_iam_role.task
  to   = module.service.module.task_role.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.task
  to   = module.service.module.task_role.aws_iam_role_policy.this["kafka-models-metrics"]
}

moved {
  from = aws_ecs_task_definition.scorer
  to   = module.service.aws_ecs_task_definition.this
}

moved {
  from = aws_ecs_service.scorer
  to   = module.service.aws_ecs_service.this[0]
}

moved {
  from = aws_appautoscaling_target.scorer
  to   = module.service.aws_appautoscaling_target.this[0]
}

moved {
  from = aws_appautoscaling_policy.cpu
  to   = module.service.aws_appautoscaling_policy.target_tracking["cpu"]
}
