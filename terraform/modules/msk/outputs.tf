output "cluster_arn" {
  description = "ARN of the MSK cluster."
  value       = aws_msk_cluster.this.arn
}

output "cluster_name" {
  description = "Name of the MSK cluster (the Cluster Name dimension of AWS/Kafka metrics)."
  value       = aws_msk_cluster.this.cluster_name
}

output "bootstrap_brokers_sasl_iam" {
  description = "Comma-separated host:9098 list for SASL/IAM over TLS."
  value       = aws_msk_cluster.this.bootstrap_brokers_sasl_iam
}

output "scorer_environment" {
  description = "Kafka settings of the scorer's container environment."
  value = {
    KAFKA_BROKERS        = aws_msk_cluster.this.bootstrap_brokers_sasl_iam
    KAFKA_SSL            = "true"
    KAFKA_SASL_MECHANISM = "aws-msk-iam"
  }
}

output "topic_arn_prefix" {
  description = "Prefix of topic ARNs in IAM policies: <prefix>/<topic>."
  value       = local.topic_arn_prefix
}

output "group_arn_prefix" {
  description = "Prefix of consumer group ARNs in IAM policies: <prefix>/<group>."
  value       = local.group_arn_prefix
}

output "transactional_id_arn_prefix" {
  description = "Prefix of transactional id ARNs in IAM policies: <prefix>/<transactional id>."
  value       = local.transactional_arn_prefix
}

output "topics" {
  description = "Topic settings, keyed by topic name."
  value       = var.topics
}

output "topic_admin_policy_arn" {
  description = "IAM policy for whoever runs topic_create_commands."
  value       = aws_iam_policy.topic_admin.arn
}

output "topic_create_commands" {
  description = "kafka-topics.sh commands that create the topics (run from a host in the msk_admin security group, see terraform/README.md)."
  value = [
    for name, t in var.topics :
    "kafka-topics.sh --bootstrap-server \"$KAFKA_BROKERS\" --command-config client.properties --create --if-not-exists --topic ${name} --partitions ${t.partitions} --replication-factor 3 --config min.insync.replicas=2 --config retention.ms=${t.retention_ms}"
  ]
}
