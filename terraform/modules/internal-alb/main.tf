# An internal application load balancer in front of one ECS service (the API, the registry): HTTPS
# with a TLS 1.3/1.2 policy when a certificate is given, else plain HTTP inside the VPC. Only the
# security group given may reach it; the caller's network module decides who is in that group.

locals {
  https = var.certificate_arn != null
}

resource "aws_lb" "this" {
  name                       = var.name
  internal                   = true
  load_balancer_type         = "application"
  subnets                    = var.subnet_ids
  security_groups            = [var.security_group_id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  # Requests are milliseconds; an idle keep-alive connection is closed after this.
  idle_timeout = 60
  tags         = var.tags
}

resource "aws_lb_target_group" "this" {
  name                 = var.name
  port                 = var.target_port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = var.deregistration_delay_seconds

  # A task that fails this check gets no traffic.
  health_check {
    path                = var.health_check.path
    matcher             = "200"
    interval            = var.health_check.interval_seconds
    timeout             = var.health_check.timeout_seconds
    healthy_threshold   = 2
    unhealthy_threshold = var.health_check.unhealthy_threshold
  }

  tags = var.tags
}

resource "aws_lb_listener" "https" {
  count             = local.https ? 1 : 0
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  tags = var.tags
}

# Without a certificate the service speaks HTTP inside the VPC only: the load balancer is internal
# and its security group admits the callers' and operators' groups alone. Production environments
# give certificate_arn (the API's callers send Bearer keys).
#trivy:ignore:AVD-AWS-0054 plain HTTP only when no certificate is given, on an internal load balancer reachable from two security groups
resource "aws_lb_listener" "http" {
  count             = local.https ? 0 : 1
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  tags = var.tags
}
