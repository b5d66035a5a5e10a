# The task definition, its roles and log group moved into terraform/modules/ecs-service
# (module.task), the scheduler's role into terraform/modules/service-role: these blocks keep an
# existing deployment's objects instead of destroying and recreating them (see terraform/README.md).

moved {
  from = aws_cloudwatch_log_group.retrainer
  to   = module.task.aws_cloudwatch_log_group.this
}

moved {
  from = aws_iam_role.execution
  to   = module.task.module.execution_role.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.execution
  to   = module.task.module.execution_role.aws_iam_role_policy.this["pull-log"]
}

moved {
  from = aws_iam_role.task
  to   = module.task.module.task_role.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.task
  to   = module.task.module.task_role.aws_iam_role_policy.this["kafka-read-models-rw"]
}

moved {
  from = aws_ecs_task_definition.retrainer
  to   = module.task.aws_ecs_task_definition.this
}

moved {
  from = aws_iam_role.scheduler
  to   = module.scheduler_role.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.scheduler
  to   = module.scheduler_role.aws_iam_role_policy.this["run-retrainer"]
}
