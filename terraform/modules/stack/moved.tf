# Until this layout the scorer and the API were the modules ecs-scorer and ecs-api (module.scorer,
# module.api; the environments move those calls under module.stack). These blocks move what they
# created to the new addresses, so that an existing deployment keeps every object instead of
# destroying and recreating it (see terraform/README.md, "Refactoring without replacement").

# --- The scorer: cluster, logs key, lag scaling; service, roles and CPU policy in ecs-service.

moved {
  from = module.scorer.module.logs_key
  to   = module.ecs_logs_key
}

moved {
  from = module.scorer.aws_cloudwatch_log_group.metrics
  to   = aws_cloudwatch_log_group.scorer_metrics
}

moved {
  from = module.scorer.aws_ecs_cluster.this
  to   = aws_ecs_cluster.this
}

moved {
  from = module.scorer.aws_ecs_cluster_capacity_providers.this
  to   = aws_ecs_cluster_capacity_providers.this
}

moved {
  from = module.scorer.aws_appautoscaling_policy.lag
  to   = aws_appautoscaling_policy.scorer_lag
}

moved {
  from = module.scorer.aws_cloudwatch_metric_alarm.lag_scale_out
  to   = aws_cloudwatch_metric_alarm.scorer_lag_scale_out
}

moved {
  from = module.scorer.aws_cloudwatch_log_group.scorer
  to   = module.scorer_service.aws_cloudwatch_log_group.this
}

moved {
  from = module.scorer.aws_iam_role.execution
  to   = module.scorer_service.module.execution_role.aws_iam_role.this
}

moved {
  from = module.scorer.aws_iam_role_policy.execution
  to   = module.scorer_service.module.execution_role.aws_iam_role_policy.this["pull-log-secrets"]
}

moved {
  from = module.scorer.aws_iam_role.task
  to   = module.scorer_service.module.task_role.aws_iam_role.this
}

moved {
  from = module.scorer.aws_iam_role_policy.task
  to   = module.scorer_service.module.task_role.aws_iam_role_policy.this["kafka-models-metrics"]
}

moved {
  from = module.scorer.aws_ecs_task_definition.scorer
  to   = module.scorer_service.aws_ecs_task_definition.this
}

moved {
  from = module.scorer.aws_ecs_service.scorer
  to   = module.scorer_service.aws_ecs_service.this[0]
}

moved {
  from = module.scorer.aws_appautoscaling_target.scorer
  to   = module.scorer_service.aws_appautoscaling_target.this[0]
}

moved {
  from = module.scorer.aws_appautoscaling_policy.cpu
  to   = module.scorer_service.aws_appautoscaling_policy.target_tracking["cpu"]
}

# --- The API: keys, load balancer (internal-alb); service, roles and request policy in ecs-service.

moved {
  from = module.api.module.key
  to   = module.api_keys_key
}

moved {
  from = module.api.random_password.api_key
  to   = random_password.api_key
}

moved {
  from = module.api.aws_secretsmanager_secret.api_keys
  to   = aws_secretsmanager_secret.api_keys
}

moved {
  from = module.api.aws_secretsmanager_secret_version.api_keys
  to   = aws_secretsmanager_secret_version.api_keys
}

moved {
  from = module.api.aws_lb.this
  to   = module.api_alb.aws_lb.this
}

moved {
  from = module.api.aws_lb_target_group.this
  to   = module.api_alb.aws_lb_target_group.this
}

moved {
  from = module.api.aws_lb_listener.https
  to   = module.api_alb.aws_lb_listener.https
}

moved {
  from = module.api.aws_lb_listener.http
  to   = module.api_alb.aws_lb_listener.http
}

moved {
  from = module.api.aws_cloudwatch_log_group.api
  to   = module.api_service.aws_cloudwatch_log_group.this
}

moved {
  from = module.api.aws_iam_role.execution
  to   = module.api_service.module.execution_role.aws_iam_role.this
}

moved {
  from = module.api.aws_iam_role_policy.execution
  to   = module.api_service.module.execution_role.aws_iam_role_policy.this["pull-log-secrets"]
}

moved {
  from = module.api.aws_iam_role.task
  to   = module.api_service.module.task_role.aws_iam_role.this
}

moved {
  from = module.api.aws_iam_role_policy.task
  to   = module.api_service.module.task_role.aws_iam_role_policy.this["read-models"]
}

moved {
  from = module.api.aws_ecs_task_definition.api
  to   = module.api_service.aws_ecs_task_definition.this
}

moved {
  from = module.api.aws_ecs_service.api
  to   = module.api_service.aws_ecs_service.this[0]
}

moved {
  from = module.api.aws_appautoscaling_target.api
  to   = module.api_service.aws_appautoscaling_target.this[0]
}

moved {
  from = module.api.aws_appautoscaling_policy.requests
  to   = module.api_service.aws_appautoscaling_policy.target_tracking["requests"]
}
