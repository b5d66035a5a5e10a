output "json" {
  description = "Policy JSON with the ListModels, Read(Write)Models and (Encrypt)DecryptModels statements."
  value       = data.aws_iam_policy_document.this.json
}
