# The policy statements that let a task read (or read and write) the model directories under one
# prefix of the model bucket, decrypting through S3 only. No resources: the caller merges the
# JSON into its task role's policy with source_policy_documents.

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
