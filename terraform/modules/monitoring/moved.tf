# Grafana's role moved into terraform/modules/service-role: these blocks keep an existing
# deployment's role instead of destroying and recreating it (see terraform/README.md).

moved {
  from = aws_iam_role.grafana
  to   = module.grafana_role.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.grafana
  to   = module.grafana_role.aws_iam_role_policy.this["read-metrics"]
}
