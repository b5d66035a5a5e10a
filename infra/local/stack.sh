#!/usr/bin/env bash
# Local stack without Docker: Apache Kafka (KRaft, single node), Apicurio Registry (Confluent
# compatible API) and Redis, all on 127.0.0.1.
#
#   stack.sh up | down | status
#   stack.sh kafka-tools   # fetch Apache Kafka's tools jars (same version as the broker) once and
#                          # print their directory, for `java -cp "DIR/*" org.apache.kafka.tools...`
#
# Downloads are cached outside the repository ($FRAUD_CACHE_DIR, default ~/.cache/fraud-scorer).
# Runtime state (PID files, logs, data, stack.env) lives in .local/ at the repository root.
# A service whose variable is already set (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, REDIS_URL) is
# not started: the given one is used and written to .local/stack.env as is.
# `down` stops only processes whose PID files `up` wrote.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE_DIR="${FRAUD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fraud-scorer}"
STATE_DIR="${FRAUD_STATE_DIR:-$ROOT/.local}"
PID_DIR="$STATE_DIR/pids"
LOG_DIR="$STATE_DIR/logs"
DATA_DIR="$STATE_DIR/data"
STACK_ENV="$STATE_DIR/stack.env"

KAFKA_VERSION="3.9.1"
APICURIO_VERSION="3.0.9" # 3.1.x is not published as an all-in-one archive on Maven Central
KAFKA_PORT="${FRAUD_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${FRAUD_KAFKA_CONTROLLER_PORT:-19093}"
REGISTRY_PORT="${FRAUD_REGISTRY_PORT:-18081}"
REDIS_PORT="${FRAUD_REDIS_PORT:-16379}"
# The registry keeps its schemas in this Kafka topic (Apicurio KafkaSQL storage, as on AWS), so
# schema ids live exactly as long as the records that carry them.
REGISTRY_TOPIC="${FRAUD_REGISTRY_TOPIC:-kafkasql-journal}"
HEALTH_TIMEOUT_S="${FRAUD_HEALTH_TIMEOUT_S:-120}"
JAVA="${FRAUD_JAVA:-java}"                 # which java runs Kafka and Apicurio
read -r -a MAVEN_ARGS_EXTRA <<<"${FRAUD_MAVEN_ARGS:-}" # e.g. a mirror's settings (-s FILE) or -o

KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
KAFKA_TOOLS_HOME="$CACHE_DIR/kafka-tools-$KAFKA_VERSION"
APICURIO_HOME="$CACHE_DIR/apicurio-$APICURIO_VERSION"

# Variables the user set before we run; those services are theirs, not ours.
USER_KAFKA_BROKERS="${KAFKA_BROKERS:-}"
USER_SCHEMA_REGISTRY_URL="${SCHEMA_REGISTRY_URL:-}"
USER_REDIS_URL="${REDIS_URL:-}"

log() { echo "stack: $*" >&2; }

# One line saying what failed, then the tail of the log that explains it, then exit 1.
fail() {
  local cause="$1" logfile="${2:-}"
  echo "stack: FAILED: $cause" >&2
  if [ -n "$logfile" ] && [ -f "$logfile" ]; then
    echo "--- last lines of $logfile ---" >&2
    tail -n 20 "$logfile" >&2
  fi
  exit 1
}

require_cmd() {
  command -v "$1" >/dev/null 2>&1 || fail "$1 not found on PATH: $2"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() {
  local pidfile="$PID_DIR/$1.pid"
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# Refuse to start on a port someone else holds: a stray server there would be used silently.
assert_port_free() {
  local port="$1" name="$2"
  if port_open "$port"; then
    fail "port $port (for $name) is already in use by a process this stack did not start; free it or set FRAUD_$(echo "$name" | tr a-z A-Z)_PORT"
  fi
}

wait_healthy() {
  local name="$1" logfile="$2" check="$3"
  local deadline=$((SECONDS + HEALTH_TIMEOUT_S))
  while ! eval "$check" >/dev/null 2>&1; do
    if ! pid_alive "$name"; then fail "$name exited during start-up" "$logfile"; fi
    if [ "$SECONDS" -ge "$deadline" ]; then fail "$name not healthy after ${HEALTH_TIMEOUT_S}s" "$logfile"; fi
    sleep 0.5
  done
}

# --- downloads -----------------------------------------------------------------------------

# Copies an org.apache.kafka artifact ($KAFKA_VERSION) and its runtime dependencies into HOME/libs,
# once (HOME/.complete marks a finished download).
#   maven_fetch ARTIFACT_ID HOME LABEL
maven_fetch() {
  local artifact="$1" home="$2" label="$3"
  [ -f "$home/.complete" ] && return 0
  require_cmd mvn "install Maven (apt-get install maven) to fetch $label from Maven Central"
  log "downloading $label $KAFKA_VERSION jars from Maven Central (once)"
  local pomdir
  pomdir="$(mktemp -d)"
  cat >"$pomdir/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>local.fraud-scorer</groupId><artifactId>$artifact-runtime</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>$artifact</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
EOF
  mkdir -p "$LOG_DIR" "$home"
  if ! mvn -B -q "${MAVEN_ARGS_EXTRA[@]}" -f "$pomdir/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$home/libs" >"$LOG_DIR/download-$artifact.log" 2>&1; then
    rm -rf "$pomdir"
    fail "download failed: org.apache.kafka:$artifact:$KAFKA_VERSION from Maven Central" "$LOG_DIR/download-$artifact.log"
  fi
  rm -rf "$pomdir"
  touch "$home/.complete"
}

fetch_kafka() { maven_fetch kafka_2.13 "$KAFKA_HOME" Kafka; }

# kafka-tools (TransactionalMessageCopier, the drain benchmark's JVM reference); the broker's jars
# above leave the tools out.
fetch_kafka_tools() { maven_fetch kafka-tools "$KAFKA_TOOLS_HOME" kafka-tools; }

fetch_apicurio() {
  [ -f "$APICURIO_HOME/.complete" ] && return 0
  require_cmd mvn "install Maven (apt-get install maven) to fetch Apicurio Registry from Maven Central"
  log "downloading Apicurio Registry $APICURIO_VERSION from Maven Central (once)"
  mkdir -p "$LOG_DIR" "$APICURIO_HOME"
  local tmp
  tmp="$(mktemp -d)"
  if ! mvn -B -q "${MAVEN_ARGS_EXTRA[@]}" dependency:copy -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
    -DoutputDirectory="$tmp" >"$LOG_DIR/download-apicurio.log" 2>&1; then
    rm -rf "$tmp"
    fail "download failed: io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all from Maven Central" "$LOG_DIR/download-apicurio.log"
  fi
  tar xzf "$tmp"/*.tar.gz -C "$APICURIO_HOME" || { rm -rf "$tmp"; fail "could not unpack the Apicurio archive"; }
  rm -rf "$tmp"
  touch "$APICURIO_HOME/.complete"
}

# --- servers -------------------------------------------------------------------------------

start_kafka() {
  if [ -n "$USER_KAFKA_BROKERS" ]; then log "kafka: using KAFKA_BROKERS=$USER_KAFKA_BROKERS (not started)"; return 0; fi
  if pid_alive kafka; then log "kafka: already running (pid $(cat "$PID_DIR/kafka.pid"))"; return 0; fi
  require_cmd "$JAVA" "install a Java 17+ runtime (apt-get install openjdk-17-jre-headless)"
  assert_port_free "$KAFKA_PORT" kafka
  assert_port_free "$KAFKA_CONTROLLER_PORT" kafka_controller
  fetch_kafka
  local dir="$DATA_DIR/kafka" props="$STATE_DIR/kafka.properties" logfile="$LOG_DIR/kafka.log"
  mkdir -p "$dir" "$PID_DIR" "$LOG_DIR"
  cat >"$props" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
EOF
  local cp="$KAFKA_HOME/libs/*"
  local log4j="$STATE_DIR/kafka-log4j.properties"
  cat >"$log4j" <<EOF
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
EOF
  if [ ! -f "$dir/meta.properties" ]; then
    "$JAVA" -cp "$cp" -Dlog4j.configuration="file:$log4j" kafka.tools.StorageTool format \
      -t "$("$JAVA" -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)" \
      -c "$props" >"$LOG_DIR/kafka-format.log" 2>&1 || fail "kafka storage format failed" "$LOG_DIR/kafka-format.log"
  fi
  log "kafka: starting on 127.0.0.1:$KAFKA_PORT"
  nohup "$JAVA" -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$log4j" -cp "$cp" kafka.Kafka "$props" >"$logfile" 2>&1 &
  echo $! >"$PID_DIR/kafka.pid"
  wait_healthy kafka "$logfile" "port_open $KAFKA_PORT && grep -q 'Kafka Server started' '$logfile'"
}

start_registry() {
  if [ -n "$USER_SCHEMA_REGISTRY_URL" ]; then log "registry: using SCHEMA_REGISTRY_URL=$USER_SCHEMA_REGISTRY_URL (not started)"; return 0; fi
  if pid_alive registry; then log "registry: already running (pid $(cat "$PID_DIR/registry.pid"))"; return 0; fi
  require_cmd "$JAVA" "install a Java 17+ runtime (apt-get install openjdk-17-jre-headless)"
  require_cmd curl "install curl (apt-get install curl)"
  assert_port_free "$REGISTRY_PORT" registry
  fetch_apicurio
  local logfile="$LOG_DIR/registry.log"
  mkdir -p "$PID_DIR" "$LOG_DIR"
  log "registry: starting Apicurio $APICURIO_VERSION on 127.0.0.1:$REGISTRY_PORT"
  # KafkaSQL storage: every change is a record on $REGISTRY_TOPIC in the stack's Kafka, replayed at
  # start. Schema ids survive kill -9 and `make down`/`make up` (in-memory storage forgot them, and
  # records already in Kafka became undecodable), and are dropped only with Kafka's own data.
  local brokers="${USER_KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}"
  # C1-only JIT: the registry starts markedly faster and its local load needs no peak JIT.
  nohup "$JAVA" -Xms128m -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.http.access-log.enabled=false \
    -Dapicurio.storage.kind=kafkasql -Dapicurio.kafkasql.bootstrap.servers="$brokers" \
    -Dapicurio.kafkasql.topic="$REGISTRY_TOPIC" -Dapicurio.kafkasql.snapshots.topic="$REGISTRY_TOPIC-snapshots" \
    -jar "$APICURIO_HOME/apicurio-registry-app-$APICURIO_VERSION-runner.jar" >"$logfile" 2>&1 &
  echo $! >"$PID_DIR/registry.pid"
  wait_healthy registry "$logfile" "curl -sf http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects"
}

start_redis() {
  if [ -n "$USER_REDIS_URL" ]; then log "redis: using REDIS_URL=$USER_REDIS_URL (not started)"; return 0; fi
  if pid_alive redis; then log "redis: already running (pid $(cat "$PID_DIR/redis.pid"))"; return 0; fi
  require_cmd redis-server "install Redis 7 (apt-get install redis-server)"
  assert_port_free "$REDIS_PORT" redis
  local logfile="$LOG_DIR/redis.log"
  mkdir -p "$PID_DIR" "$LOG_DIR" "$DATA_DIR/redis"
  log "redis: starting on 127.0.0.1:$REDIS_PORT"
  # Append-only file, fsync every second: a kill -9 or `make down` loses at most ~1 s of feature
  # state (see the README's "Redis loss" section for what a loss does to decisions).
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly yes --appendfsync everysec \
    --daemonize yes --pidfile "$PID_DIR/redis.pid" --logfile "$logfile" --dir "$DATA_DIR/redis" \
    || fail "redis-server did not start" "$logfile"
  local deadline=$((SECONDS + 10))
  until [ -f "$PID_DIR/redis.pid" ]; do
    [ "$SECONDS" -ge "$deadline" ] && fail "redis-server wrote no PID file" "$logfile"
    sleep 0.1
  done
  wait_healthy redis "$logfile" "redis-cli -h 127.0.0.1 -p $REDIS_PORT ping | grep -q PONG"
}

write_env() {
  mkdir -p "$STATE_DIR"
  cat >"$STACK_ENV.tmp" <<EOF
# Written by infra/local/stack.sh; shell-sourceable. Services and tests read these.
KAFKA_BROKERS=${USER_KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}
SCHEMA_REGISTRY_URL=${USER_SCHEMA_REGISTRY_URL:-http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7}
REDIS_URL=${USER_REDIS_URL:-redis://127.0.0.1:$REDIS_PORT}
EOF
  mv "$STACK_ENV.tmp" "$STACK_ENV"
}

stop_one() {
  local name="$1" pidfile="$PID_DIR/$1.pid"
  [ -f "$pidfile" ] || return 0
  local pid
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: stopping pid $pid"
    kill "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        log "$name: still running after 30s, sending SIGKILL"
        kill -9 "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.2
    done
  fi
  rm -f "$pidfile"
}

status_one() {
  local name="$1" port="$2" user_value="$3"
  if [ -n "$user_value" ]; then printf '%-9s external (%s)\n' "$name" "$user_value"
  elif pid_alive "$name"; then printf '%-9s running  pid %s, 127.0.0.1:%s\n' "$name" "$(cat "$PID_DIR/$name.pid")" "$port"
  else printf '%-9s stopped\n' "$name"; fi
}

case "${1:-}" in
  up)
    start_redis
    start_kafka
    start_registry
    write_env
    log "ready; settings in ${STACK_ENV#"$ROOT/"}"
    ;;
  down)
    # Reverse start order: the registry and clients go before the broker they talk to.
    stop_one registry
    stop_one kafka
    stop_one redis
    ;;
  status)
    status_one kafka "$KAFKA_PORT" "$USER_KAFKA_BROKERS"
    status_one registry "$REGISTRY_PORT" "$USER_SCHEMA_REGISTRY_URL"
    status_one redis "$REDIS_PORT" "$USER_REDIS_URL"
    ;;
  kafka-tools)
    fetch_kafka_tools
    echo "$KAFKA_TOOLS_HOME/libs"
    ;;
  *)
    echo "usage: $0 up|down|status|kafka-tools" >&2
    exit 2
    ;;
esac
