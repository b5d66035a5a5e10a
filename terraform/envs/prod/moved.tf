# The modules moved under terraform/modules/stack (module.stack): these blocks keep an existing
# deployment's objects instead of destroying and recreating them (see terraform/README.md,
# "Refactoring without replacement"). They can go once every state has been applied with them.

moved {
  from = module.network
  to   = module.stack.module.network
}

moved {
  from = module.artifacts
  to   = module.stack.module.artifacts
}

moved {
  from = module.msk
  to   = module.stack.module.msk
}

moved {
  from = module.redis
  to   = module.stack.module.redis
}

moved {
  from = module.monitoring
  to   = module.stack.module.monitoring
}

moved {
  from = module.scorer
  to   = module.stack.module.scorer
}

moved {
  from = module.registry
  to   = module.stack.module.registry
}

moved {
  from = module.api
  to   = module.stack.module.api
}
