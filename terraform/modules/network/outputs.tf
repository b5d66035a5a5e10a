output "vpc_id" {
  description = "Id of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "IPv4 range of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "availability_zones" {
  description = "The three zones in use."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "Public subnets (NAT gateways only)."
  value       = aws_subnet.public[*].id
}

output "task_subnet_ids" {
  description = "Private subnets for Fargate tasks and the internal load balancer, one per zone."
  value       = aws_subnet.tasks[*].id
}

output "data_subnet_ids" {
  description = "Private subnets for MSK brokers and Redis nodes, one per zone."
  value       = aws_subnet.data[*].id
}

output "security_group_ids" {
  description = "Security group id per component: endpoints, scorer, registry_alb, registry, msk, redis, msk_admin, api_alb, api, api_clients."
  value       = { for k, sg in aws_security_group.this : k => sg.id }
}

output "s3_prefix_list_id" {
  description = "Prefix list of the S3 gateway endpoint."
  value       = aws_vpc_endpoint.s3.prefix_list_id
}

output "flow_log_group_name" {
  description = "CloudWatch log group of the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}
