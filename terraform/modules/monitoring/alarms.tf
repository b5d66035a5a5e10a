locals {
  m       = var.scorer_metrics
  actions = [aws_sns_topic.alarms.arn]
}

# MSK publishes this per consumer group and topic at the PER_TOPIC_PER_PARTITION level; a lag that
# keeps growing means the scorer cannot keep up even at its maximum task count.
resource "aws_cloudwatch_metric_alarm" "consumer_lag" {
  alarm_name          = "${var.name}-scorer-consumer-lag"
  alarm_description   = "Unscored transactions in ${var.input_topic} for group ${var.consumer_group} above ${var.thresholds.consumer_lag_records} for 5 minutes."
  namespace           = "AWS/Kafka"
  metric_name         = "SumOffsetLag"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  threshold           = var.thresholds.consumer_lag_records
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  dimensions = {
    "Cluster Name"   = var.msk_cluster_name
    "Consumer Group" = var.consumer_group
    "Topic"          = var.input_topic
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq_rate" {
  alarm_name          = "${var.name}-scorer-dlq-rate"
  alarm_description   = "More than ${var.thresholds.dlq_records_per_5min} records dead-lettered in 5 minutes: an upstream producer sends bad data."
  namespace           = local.m.namespace
  metric_name         = local.m.dlq_records
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.thresholds.dlq_records_per_5min
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  dimensions          = { service = local.m.service }
  tags                = var.tags
}

# A dependency failure (Redis, Kafka) pauses the batch and retries it; the share of batches that
# needed a retry is the scorer's error rate. Bad records are not errors: they go to the DLQ.
resource "aws_cloudwatch_metric_alarm" "error_rate" {
  alarm_name          = "${var.name}-scorer-error-rate"
  alarm_description   = "More than ${var.thresholds.error_rate_percent}% of batches hit a dependency failure for 3 of 5 minutes."
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = var.thresholds.error_rate_percent
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags

  metric_query {
    id          = "error_rate"
    expression  = "IF(batches > 0, 100 * failures / batches, 0)"
    label       = "Batches with a dependency failure (%)"
    return_data = true
  }

  metric_query {
    id = "failures"

    metric {
      namespace   = local.m.namespace
      metric_name = local.m.dependency_failures
      stat        = "Sum"
      period      = 60
      dimensions  = { service = local.m.service }
    }
  }

  # A histogram arrives in CloudWatch as a statistic set: its sample count is the batch count.
  metric_query {
    id = "batches"

    metric {
      namespace   = local.m.namespace
      metric_name = local.m.batches
      stat        = "SampleCount"
      period      = 60
      dimensions  = { service = local.m.service }
    }
  }
}

# Every other alarm stays quiet when the scorer is down or its collector stops publishing.
resource "aws_cloudwatch_metric_alarm" "idle" {
  count               = var.alarm_when_idle ? 1 : 0
  alarm_name          = "${var.name}-scorer-idle"
  alarm_description   = "No transaction scored for 10 minutes (scorer down, stuck, or metrics not published)."
  namespace           = local.m.namespace
  metric_name         = local.m.scored
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 2
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  dimensions          = { service = local.m.service }
  tags                = var.tags
}
