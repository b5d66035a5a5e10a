# Every security group of the stack lives here so that rules can reference each other by group
# (never by CIDR) without a dependency cycle between the service modules. A group without egress
# rules has no egress at all: Terraform removes the default allow-all rule.

locals {
  security_groups = {
    endpoints    = "Interface VPC endpoints: HTTPS from the tasks only"
    scorer       = "Fraud scorer tasks: no ingress, egress to Kafka, Redis, the registry and AWS APIs"
    registry_alb = "Schema registry internal load balancer"
    registry     = "Schema registry tasks"
    msk          = "MSK brokers: SASL/IAM over TLS from the clients below"
    redis        = "ElastiCache Redis: TLS from the scorer"
    msk_admin    = "Operator shells (CloudShell VPC environment) that create topics and register schemas"
    api_alb      = "Scoring API internal load balancer"
    api          = "Scoring API tasks: ingress from their load balancer, egress to Redis and AWS APIs"
    api_clients  = "Callers of the scoring API (payment gateways): attach to their tasks or instances"
  }

  ports = var.ports

  # key => security group, peer group, port, description
  ingress_rules = {
    endpoints_from_scorer    = { sg = "endpoints", peer = "scorer", port = 443, description = "AWS APIs from the scorer" }
    endpoints_from_registry  = { sg = "endpoints", peer = "registry", port = 443, description = "AWS APIs from the registry" }
    endpoints_from_admin     = { sg = "endpoints", peer = "msk_admin", port = 443, description = "AWS APIs from operators" }
    msk_from_scorer          = { sg = "msk", peer = "scorer", port = local.ports.msk_sasl_iam, description = "Kafka SASL/IAM from the scorer" }
    msk_from_registry        = { sg = "msk", peer = "registry", port = local.ports.msk_sasl_iam, description = "Kafka SASL/IAM from the registry (KafkaSQL storage)" }
    msk_from_admin           = { sg = "msk", peer = "msk_admin", port = local.ports.msk_sasl_iam, description = "Kafka SASL/IAM from operators" }
    redis_from_scorer        = { sg = "redis", peer = "scorer", port = local.ports.redis, description = "Redis TLS from the scorer" }
    registry_alb_from_scorer = { sg = "registry_alb", peer = "scorer", port = var.registry_listener_port, description = "Registry API from the scorer" }
    registry_alb_from_admin  = { sg = "registry_alb", peer = "msk_admin", port = var.registry_listener_port, description = "Registry API from operators" }
    registry_from_alb        = { sg = "registry", peer = "registry_alb", port = local.ports.registry_http, description = "Registry HTTP from its load balancer" }
    endpoints_from_api       = { sg = "endpoints", peer = "api", port = 443, description = "AWS APIs from the scoring API" }
    redis_from_api           = { sg = "redis", peer = "api", port = local.ports.redis, description = "Redis TLS from the scoring API" }
    api_alb_from_clients     = { sg = "api_alb", peer = "api_clients", port = var.api_listener_port, description = "Scoring API from its callers" }
    api_alb_from_admin       = { sg = "api_alb", peer = "msk_admin", port = var.api_listener_port, description = "Scoring API from operators" }
    api_from_alb             = { sg = "api", peer = "api_alb", port = local.ports.api_http, description = "Scoring API HTTP from its load balancer" }
  }

  egress_rules = {
    scorer_to_msk         = { sg = "scorer", peer = "msk", port = local.ports.msk_sasl_iam, description = "Kafka SASL/IAM" }
    scorer_to_redis       = { sg = "scorer", peer = "redis", port = local.ports.redis, description = "Redis TLS" }
    scorer_to_registry    = { sg = "scorer", peer = "registry_alb", port = var.registry_listener_port, description = "Schema registry" }
    scorer_to_endpoints   = { sg = "scorer", peer = "endpoints", port = 443, description = "AWS APIs through interface endpoints" }
    registry_to_msk       = { sg = "registry", peer = "msk", port = local.ports.msk_sasl_iam, description = "KafkaSQL storage on MSK" }
    registry_to_endpoints = { sg = "registry", peer = "endpoints", port = 443, description = "AWS APIs through interface endpoints" }
    registry_alb_to_tasks = { sg = "registry_alb", peer = "registry", port = local.ports.registry_http, description = "Forward to registry tasks" }
    admin_to_msk          = { sg = "msk_admin", peer = "msk", port = local.ports.msk_sasl_iam, description = "Kafka SASL/IAM" }
    admin_to_registry     = { sg = "msk_admin", peer = "registry_alb", port = var.registry_listener_port, description = "Schema registry" }
    admin_to_endpoints    = { sg = "msk_admin", peer = "endpoints", port = 443, description = "AWS APIs through interface endpoints" }
    admin_to_api          = { sg = "msk_admin", peer = "api_alb", port = var.api_listener_port, description = "Scoring API" }
    api_alb_to_tasks      = { sg = "api_alb", peer = "api", port = local.ports.api_http, description = "Forward to scoring API tasks" }
    api_to_redis          = { sg = "api", peer = "redis", port = local.ports.redis, description = "Redis TLS (the scorer's feature state)" }
    api_to_endpoints      = { sg = "api", peer = "endpoints", port = 443, description = "AWS APIs through interface endpoints" }
    api_clients_to_api    = { sg = "api_clients", peer = "api_alb", port = var.api_listener_port, description = "Scoring API" }
  }

  # ECR serves image layers from S3; the scorer and the API also read model files from S3.
  s3_egress = ["scorer", "registry", "api"]
}

resource "aws_security_group" "this" {
  for_each = local.security_groups
  # A prefix, not a fixed name: replacing a group (e.g. a new description) creates the new one first.
  name_prefix = "${var.name}-${replace(each.key, "_", "-")}-"
  description = each.value
  vpc_id      = aws_vpc.this.id
  tags        = merge(var.tags, { Name = "${var.name}-${replace(each.key, "_", "-")}" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each                     = local.ingress_rules
  security_group_id            = aws_security_group.this[each.value.sg].id
  referenced_security_group_id = aws_security_group.this[each.value.peer].id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = each.value.description
  tags                         = var.tags
}

resource "aws_vpc_security_group_egress_rule" "this" {
  for_each                     = local.egress_rules
  security_group_id            = aws_security_group.this[each.value.sg].id
  referenced_security_group_id = aws_security_group.this[each.value.peer].id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = each.value.description
  tags                         = var.tags
}

resource "aws_vpc_security_group_egress_rule" "s3" {
  for_each          = toset(local.s3_egress)
  security_group_id = aws_security_group.this[each.value].id
  prefix_list_id    = aws_vpc_endpoint.s3.prefix_list_id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "S3 through the gateway endpoint"
  tags              = var.tags
}

# Operators download the Kafka CLI and the aws-msk-iam-auth jar (see terraform/README.md) from a
# CloudShell VPC environment that has no other way out than the NAT gateway. The services' own
# groups have no internet egress.
#trivy:ignore:AVD-AWS-0104 operator shells need HTTPS to download the Kafka CLI; services have no internet egress
resource "aws_vpc_security_group_egress_rule" "admin_https_internet" {
  count             = var.nat_gateway_count > 0 ? 1 : 0
  security_group_id = aws_security_group.this["msk_admin"].id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "HTTPS downloads through the NAT gateway"
  tags              = var.tags
}
