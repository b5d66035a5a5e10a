# The entry points a person types. Every target runs on Node 24 (installed into the cache when the
# machine's node is another major) and reads the local stack's settings from .local/stack.env.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_BIN := $(shell scripts/ensure-node.sh)
export PATH := $(NODE_BIN):$(PATH)
export ONNXRUNTIME_NODE_INSTALL := skip

.PHONY: help bootstrap up down status test smoke demo alerts scorer api console train loop chaos tf-check monitoring-check bench typecheck lint format

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

bootstrap: ## install system packages, Node 24, npm and Python dependencies (idempotent)
	@scripts/bootstrap.sh

up: ## start Kafka, the schema registry and Redis on 127.0.0.1 (no Docker); writes .local/stack.env
	@infra/local/stack.sh up

down: ## stop what `make up` started
	@infra/local/stack.sh down

status: ## show the local stack
	@infra/local/stack.sh status

test: ## the test command: install everything, start the stack, type-check, run all tests
	@scripts/test.sh

demo: bootstrap up ## the main job: stack, default model, a scorer, the analyst console and scoring API, simulated traffic, live view (Ctrl-C stops)
	@npx tsx scripts/demo.ts

alerts: bootstrap up ## the most recent alerts with their reason codes (COUNT=10)
	@npx tsx scripts/demo-alerts.ts --count $(or $(COUNT),10)

console: bootstrap up ## the analyst console on CONSOLE_HOST:CONSOLE_PORT (127.0.0.1:8080); first start needs CONSOLE_ADMIN_EMAIL/CONSOLE_ADMIN_PASSWORD
	@CONSOLE_CREATE_TOPICS=true npx tsx services/console/src/main.ts

scorer: bootstrap up ## run one scorer worker against the local stack
	@SCORER_CREATE_TOPICS=true npx tsx services/scorer/src/main.ts

api: bootstrap up ## the synchronous scoring API on 127.0.0.1:8090 (key: API_KEYS, else one made in .local/api-key)
	@if [ -z "$$API_KEYS" ] && [ ! -s .local/api-key ]; then umask 077; mkdir -p .local; node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('hex'))" > .local/api-key; fi
	@API_KEYS="$${API_KEYS:-$$(cat .local/api-key)}" npx tsx services/api/src/main.ts

train: bootstrap ## simulate 1M transactions and train, export, verify and register a model
	@scripts/train.sh

bench: bootstrap up ## the standard benchmark: 60 s at 10K TPS, 1 worker, 6 partitions
	@npx tsx load-tests/src/bench.ts --rate 10000 --duration 60 --workers 1 --partitions 6 --json .local/bench.json

loop: bootstrap up ## the feedback loop end to end: traffic, labels, dataset, retrain, shadow, gate, promotion (<= 10 min; last line JSON)
	@npx tsx services/retrainer/src/cli/loop.ts --max-seconds 600

chaos: bootstrap ## exactly once under faults (kill -9, zombie, broker/Redis/registry restarts, rescale) on a private stack -> .local/chaos.json
	@mkdir -p .local && npx tsx load-tests/src/chaos/chaos.ts --json .local/chaos.json

tf-check: ## Terraform offline checks: fmt, tflint, trivy/checkov
	@scripts/tf-check.sh

monitoring-check: ## promtool check config/rules and the alert rule unit tests
	@scripts/prometheus-check.sh

smoke: bootstrap up ## round-trip one record through registry, Kafka transaction and Redis
	@npx tsx scripts/smoke.ts

typecheck: ## tsc --noEmit over every workspace
	@npx tsc -p tsconfig.json --noEmit

lint: ## ESLint (type-aware) and Prettier check
	@npx eslint . && npx prettier --check .

format: ## apply Prettier
	@npx prettier --write .
