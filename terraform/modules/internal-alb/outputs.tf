output "base_url" {
  description = "Base URL inside the VPC (https with a certificate, else http)."
  value       = "${local.https ? "https" : "http"}://${coalesce(var.hostname, aws_lb.this.dns_name)}"
}

output "dns_name" {
  description = "DNS name of the load balancer (target of a private hosted zone record)."
  value       = aws_lb.this.dns_name
}

output "listener_port" {
  description = "Port of the listener."
  value       = local.https ? 443 : 80
}

output "target_group_arn" {
  description = "Target group for the service's load_balancer block; known only once a listener exists, because ECS refuses a target group without a load balancer."
  value       = aws_lb_target_group.this.arn
  depends_on  = [aws_lb_listener.https, aws_lb_listener.http]
}

output "request_count_label" {
  description = "resource_label of the ALBRequestCountPerTarget scaling metric."
  value       = "${aws_lb.this.arn_suffix}/${aws_lb_target_group.this.arn_suffix}"
}
