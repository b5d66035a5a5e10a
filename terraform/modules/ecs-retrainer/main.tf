# The retrainer as an ECS scheduled task (EventBridge Scheduler -> RunTask): every run checks the
# retrain triggers (schedule, new labels; PSI when a Prometheus URL is given), retrains when one
# fires (dataset -> train -> backtest -> challenger), then runs the promotion gate on the labelled
# shadow traffic. Models live in the scorers' bucket: downloaded before, uploaded after, with
# registry.json written last so a scorer never sees a registry naming files not there yet.

data "aws_region" "current" {}

locals {
  region            = data.aws_region.current.region
  models_dir        = "/models"
  model_bucket_name = element(split(":", var.model.bucket_arn), 5)
  # MSK IAM signs with the task role in this region.
  environment = merge(var.environment, { AWS_REGION = local.region })

  download_script = <<-EOT
    aws s3 sync "s3://$MODEL_BUCKET/$MODEL_PREFIX" /models --only-show-errors
  EOT

  # New version directories and the promotion log first, registry.json last (one PUT: atomic).
  upload_script = <<-EOT
    aws s3 sync /models "s3://$MODEL_BUCKET/$MODEL_PREFIX" --exclude registry.json --exclude '.staging-*' --only-show-errors &&
      aws s3 cp /models/registry.json "s3://$MODEL_BUCKET/$${MODEL_PREFIX}registry.json" --only-show-errors
  EOT

  retrain_command = join(" ", concat(
    ["npm run retrain -- --models /models --datasets /tmp/datasets"], var.retrain_args,
    ["&& npm run gate -- --models /models"], var.gate_args,
  ))

  sync_environment = [
    { name = "MODEL_BUCKET", value = local.model_bucket_name },
    { name = "MODEL_PREFIX", value = var.model.prefix },
    { name = "AWS_REGION", value = local.region },
    { name = "HOME", value = "/tmp" },
  ]

  containers = [
    {
      name                   = "model-download"
      image                  = var.model_sync_image
      essential              = false
      user                   = "0" # Fargate task volumes are owned by root
      readonlyRootFilesystem = true
      entryPoint             = ["/bin/sh", "-c"]
      command                = [local.download_script]
      environment            = local.sync_environment
      mountPoints = [
        { sourceVolume = "models", containerPath = "/models", readOnly = false },
        { sourceVolume = "sync-tmp", containerPath = "/tmp", readOnly = false },
      ]
      linuxParameters = { capabilities = { drop = ["ALL"] } }
    },
    {
      name                   = "retrainer"
      image                  = var.image
      essential              = false
      user                   = "0" # writes the root-owned models volume; every capability dropped
      readonlyRootFilesystem = true
      entryPoint             = ["/bin/sh", "-c"]
      command                = [local.retrain_command]
      environment            = [for k in sort(keys(local.environment)) : { name = k, value = local.environment[k] }]
      dependsOn              = [{ containerName = "model-download", condition = "SUCCESS" }]
      mountPoints = [
        { sourceVolume = "models", containerPath = local.models_dir, readOnly = false },
        { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
      ]
      linuxParameters = { initProcessEnabled = true, capabilities = { drop = ["ALL"] } }
    },
    {
      name                   = "model-upload"
      image                  = var.model_sync_image
      essential              = true # the task ends when the upload ends
      user                   = "0"
      readonlyRootFilesystem = true
      entryPoint             = ["/bin/sh", "-c"]
      command                = [local.upload_script]
      environment            = local.sync_environment
      dependsOn              = [{ containerName = "retrainer", condition = "SUCCESS" }]
      mountPoints = [
        { sourceVolume = "models", containerPath = "/models", readOnly = true },
        { sourceVolume = "sync-tmp", containerPath = "/tmp", readOnly = false },
      ]
      linuxParameters = { capabilities = { drop = ["ALL"] } }
    },
  ]
}

# No service: the schedule below starts the task definition.
module "task" {
  source = "../ecs-service"

  name            = "${var.name}-retrainer"
  containers      = local.containers
  volumes         = ["models", "tmp", "sync-tmp"]
  task_cpu        = var.task_cpu
  task_memory_mib = var.task_memory_mib

  image_repository_arns                = [var.ecr_repository_arn]
  pull_through_repository_arn_patterns = var.pull_through_repository_arn_patterns
  task_policy                          = { name = "kafka-read-models-rw", json = data.aws_iam_policy_document.task.json }

  log_group = {
    name           = "/ecs/${var.name}/retrainer"
    retention_days = var.log_retention_days
    kms_key_arn    = var.log_kms_key_arn
  }

  tags = var.tags
}

resource "aws_scheduler_schedule" "retrainer" {
  name                         = "${var.name}-retrainer"
  schedule_expression          = var.schedule_expression
  schedule_expression_timezone = "UTC"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.cluster_arn
    role_arn = module.scheduler_role.arn

    ecs_parameters {
      task_definition_arn     = module.task.task_definition_arn_without_revision
      launch_type             = "FARGATE"
      platform_version        = "LATEST"
      task_count              = 1
      enable_ecs_managed_tags = true
      propagate_tags          = "TASK_DEFINITION"

      network_configuration {
        subnets          = var.subnet_ids
        security_groups  = [var.security_group_id]
        assign_public_ip = false
      }
    }

    retry_policy {
      maximum_retry_attempts       = 2
      maximum_event_age_in_seconds = 3600
    }
  }
}
