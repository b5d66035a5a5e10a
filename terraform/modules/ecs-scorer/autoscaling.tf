# The CPU target tracking policy is terraform/modules/ecs-service's (module.service in main.tf).

# Lag catches what CPU misses: a backlog while tasks wait on Redis or Kafka. Scale out only;
# the CPU policy brings the count back down.
resource "aws_appautoscaling_policy" "lag" {
  name               = "${var.name}-scorer-lag"
  policy_type        = "StepScaling"
  service_namespace  = module.service.autoscaling_target.service_namespace
  scalable_dimension = module.service.autoscaling_target.scalable_dimension
  resource_id        = module.service.autoscaling_target.resource_id

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = 120
    metric_aggregation_type = "Maximum"

    step_adjustment {
      metric_interval_lower_bound = 0
      metric_interval_upper_bound = 2 * var.scale_out_lag_records
      scaling_adjustment          = 1
    }

    step_adjustment {
      metric_interval_lower_bound = 2 * var.scale_out_lag_records
      scaling_adjustment          = 3
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "lag_scale_out" {
  alarm_name          = "${var.name}-scorer-lag-scale-out"
  alarm_description   = "Scales the scorer out while the consumer lag exceeds ${var.scale_out_lag_records} records."
  namespace           = "AWS/Kafka"
  metric_name         = "SumOffsetLag"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = var.scale_out_lag_records
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_appautoscaling_policy.lag.arn]

  dimensions = {
    "Cluster Name"   = var.kafka.cluster_name
    "Consumer Group" = var.kafka.consumer_group
    "Topic"          = var.kafka.input_topic
  }

  tags = var.tags
}
