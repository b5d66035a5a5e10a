# The roles moved into terraform/modules/service-role, the load balancer into
# terraform/modules/internal-alb: these blocks keep an existing deployment's objects instead of
# destroying and recreating them (see terraform/README.md).

moved {
  from = aws_iam_role.execution
  to   = module.execution_role.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.execution
  to   = module.execution_role.aws_iam_role_policy.this["pull-log"]
}

moved {
  from = aws_iam_role.task
  to   = module.task_role.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.task
  to   = module.task_role.aws_iam_role_policy.this["kafkasql-storage"]
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
