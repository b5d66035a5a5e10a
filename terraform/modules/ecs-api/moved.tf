# The service, its roles, log group and request-count policy moved into
# terraform/modules/ecs-service (module.service), the load balancer into
# terraform/modules/internal-alb (module.alb): these blocks keep an existing deployment's objects
# instead of destroying and recreating them (see terraform/README.md).

moved {
  from = aws_cloudwatch_log_group.api
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
  to   = module.service.module.task_role.aws_iam_role_policy.this["read-models"]
}

moved {
  from = aws_ecs_task_definition.api
  to   = module.service.aws_ecs_task_definition.this
}

moved {
  from = aws_ecs_service.api
  to   = module.service.aws_ecs_service.this[0]
}

moved {
  from = aws_appautoscaling_target.api
  to   = module.service.aws_appautoscaling_target.this[0]
}

moved {
  from = aws_appautoscaling_policy.requests
  to   = module.service.aws_appautoscaling_policy.target_tracking["requests"]
}

moved {
  from = aws_lb.this
  to   = module.alb.aws_lb.this
}

moved {
  from = aws_lb_target_group.this
  to   = module.alb.aws_lb_target_group.this
}

moved {
  from = aws_lb_listener.https
  to   = module.alb.aws_lb_listener.https
}

moved {
  from = aws_lb_listener.http
  to   = module.alb.aws_lb_listener.http
}
