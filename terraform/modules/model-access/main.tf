# A task's access to the model directories under one prefix of the model bucket. No resources:
# - policy_json: the statements that let the task role read (or read and write) them, decrypting
#   through S3 only; the caller merges it into its task role's policy (source_policy_documents);
# - with `sync`, the model-sync sidecar of the services that score (scorer, API): it mirrors the
#   bucket into the task volume "models", which the service mounts read-only and hot-reloads from
#   when registry.json changes. registry.json is copied last and renamed into place, so it never
#   names a version whose files are still downloading (terraform/modules/ecs-service adds the log
#   configuration).

data "aws_region" "current" {}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "ListModels"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.prefix}*"]
    }
  }

  statement {
    sid       = var.write ? "ReadWriteModels" : "ReadModels"
    actions   = concat(["s3:GetObject", "s3:GetObjectVersion"], var.write ? ["s3:PutObject"] : [])
    resources = ["${var.bucket_arn}/${var.prefix}*"]
  }

  statement {
    sid       = var.write ? "EncryptDecryptModels" : "DecryptModels"
    actions   = concat(["kms:Decrypt"], var.write ? ["kms:GenerateDataKey"] : [])
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${data.aws_region.current.region}.amazonaws.com"]
    }
  }
}

locals {
  # try(): without sync these are never used (outputs.tf), but locals are always evaluated.
  script = <<-EOT
    sync_once() {
      aws s3 sync "s3://$MODEL_BUCKET/$MODEL_PREFIX" /models --exclude registry.json --only-show-errors &&
        aws s3 cp "s3://$MODEL_BUCKET/$${MODEL_PREFIX}registry.json" /models/.registry.json.next --only-show-errors &&
        mv /models/.registry.json.next /models/registry.json
    }
    until sync_once; do echo "model sync failed; retrying"; sleep 10; done
    while sleep "$SYNC_INTERVAL_SECONDS"; do sync_once || echo "model sync failed; the ${try(var.sync.reader, "")} keeps its current models"; done
  EOT

  sync_container = {
    name      = "model-sync"
    image     = try(var.sync.image, null)
    essential = false # the service keeps the models it has when the bucket is unreachable
    # Fargate creates task volumes owned by root, so the only writer of the models volume runs as
    # uid 0 — with every capability dropped and a read-only root filesystem; the service mounts the
    # volume read-only.
    user                   = "0"
    readonlyRootFilesystem = true
    entryPoint             = ["/bin/sh", "-c"]
    command                = [local.script]
    environment = [
      { name = "MODEL_BUCKET", value = element(split(":", var.bucket_arn), 5) },
      { name = "MODEL_PREFIX", value = var.prefix },
      { name = "SYNC_INTERVAL_SECONDS", value = tostring(try(var.sync.interval_seconds, 0)) },
      { name = "AWS_REGION", value = data.aws_region.current.region },
      { name = "HOME", value = "/tmp" },
    ]
    mountPoints = [
      { sourceVolume = "models", containerPath = "/models", readOnly = false },
      { sourceVolume = "sync-tmp", containerPath = "/tmp", readOnly = false },
    ]
    linuxParameters = { initProcessEnabled = true, capabilities = { drop = ["ALL"] } }
    healthCheck = {
      command     = ["CMD-SHELL", "test -f /models/registry.json"]
      interval    = 10
      timeout     = 5
      retries     = 3
      startPeriod = 120
    }
  }
}
