output "json" {
  description = "Policy JSON of the execution role."
  value       = data.aws_iam_policy_document.this.json
}
