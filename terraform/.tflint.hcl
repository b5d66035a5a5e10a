# Only the bundled terraform ruleset: plugin downloads (aws ruleset) are impossible offline.
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
