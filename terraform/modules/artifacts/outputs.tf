output "repository_urls" {
  description = "Repository URL per key (scorer, registry); push images here, tags are immutable."
  value       = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}

output "repository_arns" {
  description = "Repository ARN per key."
  value       = { for k, r in aws_ecr_repository.this : k => r.arn }
}

output "registry_host" {
  description = "Host of the account's private registry."
  value       = "${data.aws_caller_identity.current.account_id}.dkr.ecr.${data.aws_region.current.region}.amazonaws.com"
}

output "pull_through_cache_prefixes" {
  description = "Repository prefix per mirrored upstream: <registry_host>/<prefix>/<upstream path>."
  value       = { for k, r in aws_ecr_pull_through_cache_rule.this : r.upstream_registry_url => k }
}

output "pull_through_cache_repository_arn_patterns" {
  description = "Repository ARN patterns of the pull-through caches, for execution roles."
  value       = [for k in keys(var.pull_through_cache_upstreams) : "arn:${data.aws_partition.current.partition}:ecr:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:repository/${k}/*"]
}

output "model_bucket_name" {
  description = "Bucket holding model directories."
  value       = aws_s3_bucket.models.id
}

output "model_bucket_arn" {
  description = "ARN of the model bucket."
  value       = aws_s3_bucket.models.arn
}

output "kms_key_arn" {
  description = "Key of the repository and the bucket; model readers need kms:Decrypt on it."
  value       = module.key.key_arn
}
