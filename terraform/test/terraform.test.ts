// Structural checks of the Terraform code: the security and scaling properties that matter for the
// fraud scorer, read from the HCL itself because `terraform validate/plan` cannot run offline (no
// provider downloads). Each check is a function that throws, so the last block can prove the
// checks reject insecure variants instead of passing vacuously.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

interface Hcl2Json {
  parse(fileName: string, contents: string): Promise<Record<string, unknown>>;
}
// Loaded without its type declarations: they reference the DOM lib, which would then leak into the
// whole repository's strict type-check.
const hcl2json = createRequire(import.meta.url)('@cdktf/hcl2json') as Hcl2Json;

const TERRAFORM_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The merged top-level blocks of every .tf file of one module directory. */
interface TfModule {
  dir: string;
  resource: Obj;
  data: Obj;
  variable: Obj;
  output: Obj;
  module: Obj;
  locals: Obj;
}

function isObj(value: Json | undefined): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: Json | undefined, what: string): Obj {
  if (!isObj(value)) throw new Error(`${what}: expected an object, got ${JSON.stringify(value)}`);
  return value;
}

function arr(value: Json | undefined, what: string): Json[] {
  if (!Array.isArray(value)) throw new Error(`${what}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}

function str(value: Json | undefined, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

/** Any value as text, for messages and pattern checks. */
function show(value: Json | undefined): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

/** A block that appears once (hcl2json renders every block as a list). */
function single(value: Json | undefined, what: string): Obj {
  const list = arr(value, what);
  if (list.length !== 1) throw new Error(`${what}: expected one block, got ${list.length}`);
  return obj(list[0], what);
}

function mergeInto(target: Obj, source: Obj): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isObj(existing) && isObj(value)) mergeInto(existing, value);
    else if (Array.isArray(existing) && Array.isArray(value)) existing.push(...value);
    else target[key] = value;
  }
}

async function loadModule(relativeDir: string): Promise<TfModule> {
  const dir = path.join(TERRAFORM_DIR, relativeDir);
  const merged: Obj = {};
  const files = readdirSync(dir).filter((f) => f.endsWith('.tf'));
  if (files.length === 0) throw new Error(`no .tf files in ${dir}`);
  for (const file of files) {
    const parsed = (await hcl2json.parse(file, readFileSync(path.join(dir, file), 'utf8'))) as Obj;
    mergeInto(merged, parsed);
  }
  return parseModule(relativeDir, merged);
}

function parseModule(dir: string, merged: Obj): TfModule {
  const locals: Obj = {};
  for (const block of (merged.locals as Json[] | undefined) ?? [])
    Object.assign(locals, obj(block, `${dir} locals`));
  const part = (key: string): Obj => (isObj(merged[key]) ? merged[key] : {});
  return {
    dir,
    resource: part('resource'),
    data: part('data'),
    variable: part('variable'),
    output: part('output'),
    module: part('module'),
    locals,
  };
}

async function parseSnippet(dir: string, hcl: string): Promise<TfModule> {
  return parseModule(dir, (await hcl2json.parse('snippet.tf', hcl)) as Obj);
}

function resource(mod: TfModule, type: string, name: string): Obj {
  return single(
    obj(mod.resource[type], `${mod.dir}: resource type ${type}`)[name],
    `${mod.dir}: ${type}.${name}`,
  );
}

function dataSource(mod: TfModule, type: string, name: string): Obj {
  return single(
    obj(mod.data[type], `${mod.dir}: data type ${type}`)[name],
    `${mod.dir}: data.${type}.${name}`,
  );
}

function variable(mod: TfModule, name: string): Obj {
  return single(mod.variable[name], `${mod.dir}: variable ${name}`);
}

function moduleCall(mod: TfModule, name: string): Obj {
  return single(mod.module[name], `${mod.dir}: module ${name}`);
}

function validations(mod: TfModule, name: string): string[] {
  return arr(variable(mod, name).validation, `${mod.dir}: validation of ${name}`).map((v) =>
    str(obj(v, 'validation').condition, `${mod.dir}: condition of ${name}`),
  );
}

/** Replaces `${local.x}` in a string by the local's value when that value is a literal. */
function resolveLocals(mod: TfModule, text: string): string {
  return text.replace(/\$\{local\.([a-z_]+)\}/g, (whole, name: string) => {
    const value = mod.locals[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : whole;
  });
}

function expectTrue(value: Json | undefined, what: string): void {
  if (value !== true) throw new Error(`${what}: expected true, got ${JSON.stringify(value)}`);
}

function expectEqual(actual: Json | undefined, expected: Json, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

// ---- the checks ----

function checkMsk(msk: TfModule): void {
  const cluster = resource(msk, 'aws_msk_cluster', 'this');
  const auth = single(cluster.client_authentication, 'client_authentication');
  expectTrue(single(auth.sasl, 'sasl').iam, 'MSK SASL/IAM');
  expectEqual(auth.unauthenticated, false, 'MSK unauthenticated access');
  const encryption = single(cluster.encryption_info, 'encryption_info');
  const inTransit = single(encryption.encryption_in_transit, 'encryption_in_transit');
  expectEqual(inTransit.client_broker, 'TLS', 'MSK client_broker');
  expectTrue(inTransit.in_cluster, 'MSK in-cluster encryption');
  expectEqual(encryption.encryption_at_rest_kms_key_arn, '${module.key.key_arn}', 'MSK at-rest key');
  expectEqual(cluster.number_of_broker_nodes, '${var.broker_count}', 'MSK broker count');
  expectEqual(variable(msk, 'broker_count').default, 3, 'broker_count default');
  if (!validations(msk, 'broker_count').includes('${var.broker_count == 3}'))
    throw new Error('broker_count must be validated to 3');
  const logs = single(
    single(single(cluster.logging_info, 'logging_info').broker_logs, 'broker_logs').cloudwatch_logs,
    'cloudwatch_logs',
  );
  expectTrue(logs.enabled, 'MSK broker logs');
}

function checkRedis(redis: TfModule): void {
  const group = resource(redis, 'aws_elasticache_replication_group', 'this');
  expectTrue(group.transit_encryption_enabled, 'Redis TLS');
  expectEqual(group.transit_encryption_mode, 'required', 'Redis TLS mode');
  expectTrue(group.at_rest_encryption_enabled, 'Redis at-rest encryption');
  expectEqual(group.kms_key_id, '${module.key.key_arn}', 'Redis at-rest key');
  expectTrue(group.automatic_failover_enabled, 'Redis automatic failover');
  expectTrue(group.multi_az_enabled, 'Redis Multi-AZ');
  expectEqual(group.cluster_mode, 'enabled', 'Redis cluster mode');
  expectEqual(group.auth_token, '${random_password.auth_token.result}', 'Redis auth token');
  const secretValue = resource(redis, 'aws_secretsmanager_secret_version', 'auth_token');
  expectEqual(
    secretValue.secret_string,
    '${random_password.auth_token.result}',
    'auth token stored in Secrets Manager',
  );
  expectEqual(
    resource(redis, 'aws_secretsmanager_secret', 'auth_token').kms_key_id,
    '${module.key.key_arn}',
    'secret key',
  );
}

/**
 * The scorer's task (modules/stack/scorer.tf): its own containers and the model-sync sidecar
 * (modules/model-access), run by the shared modules/ecs-service, which adds the awslogs
 * configuration to every container and refuses secret-looking environment names.
 */
function checkScorerTask(scorer: TfModule, service: TfModule, modelSync: TfModule): void {
  const containers = [
    obj(scorer.locals.scorer_container, 'scorer_container'),
    obj(modelSync.locals.sync_container, 'model-sync container'),
    obj(scorer.locals.collector_container, 'collector_container'),
  ];
  const call = moduleCall(scorer, 'scorer_service');
  expectEqual(
    call.containers,
    ['${local.scorer_container}', '${module.scorer_models.sync_container}', '${local.collector_container}'],
    'containers of the scorer task',
  );
  for (const container of containers) {
    const name = str(container.name, 'container name');
    expectTrue(container.readonlyRootFilesystem, `${name} read-only root filesystem`);
    if (container.logConfiguration !== undefined)
      throw new Error(`${name}: logConfiguration comes from modules/ecs-service, not the container`);
    const user = str(container.user, `${name} user`);
    const root = user === '' || user === 'root' || /^0(:|$)/.test(user);
    // The one documented exception: the model-sync sidecar writes a root-owned task volume, so it
    // runs as uid 0 but without any capability and must not be essential.
    if (root && name !== 'model-sync') throw new Error(`${name} runs as root (user ${user})`);
    if (root) {
      const drop = obj(
        obj(container.linuxParameters, `${name} linuxParameters`).capabilities,
        'capabilities',
      ).drop;
      expectEqual(drop, ['ALL'], `${name} dropped capabilities`);
      expectEqual(container.essential, false, `${name} essential`);
    }
  }
  checkTaskLogging(service);
  const main = containers[0] as Obj;
  expectEqual(main.user, '1000:1000', 'scorer user');
  const mounts = arr(main.mountPoints, 'scorer mountPoints').map((m) => obj(m, 'mount point'));
  const models = mounts.find((m) => m.sourceVolume === 'models');
  expectEqual(models?.readOnly ?? null, true, 'scorer mounts the models read-only');
  const command = arr(obj(main.healthCheck, 'healthCheck').command, 'healthCheck.command').map((c) =>
    resolveLocals(scorer, str(c, 'health check argument')),
  );
  expectEqual(command[0] ?? null, 'CMD', 'health check form');
  if (!command.some((c) => c.includes('http://127.0.0.1:9464/healthz')))
    throw new Error(`health check must probe http://127.0.0.1:9464/healthz: ${command.join(' ')}`);
  // Secrets reach the container through `secrets` (resolved by ECS), never through `environment`.
  expectEqual(
    main.secrets,
    '${[for k in sort(keys(local.scorer_secrets)) : { name = k, valueFrom = local.scorer_secrets[k] }]}',
    'container secrets',
  );
  expectEqual(call.secrets, '${local.scorer_secrets}', 'the execution role reads the container secrets');
  const envGuard = validations(service, 'containers');
  if (!envGuard.some((c) => c.includes('password|secret|token')))
    throw new Error('container environments must be validated against secret-looking names');
  const fixedEnv = scorer.locals.scorer_container_environment;
  if (typeof fixedEnv !== 'string' || /password|secret|token/i.test(fixedEnv))
    throw new Error(`the fixed environment names a secret: ${show(fixedEnv)}`);

  checkSharedService(service);

  const cluster = resource(scorer, 'aws_ecs_cluster', 'this');
  expectEqual(
    single(cluster.setting, 'cluster setting'),
    { name: 'containerInsights', value: 'enabled' },
    'container insights',
  );
}

/** modules/ecs-service: every container logs through awslogs to the workload's KMS-encrypted group. */
function checkTaskLogging(service: TfModule): void {
  const containers = str(service.locals.containers, 'ecs-service local.containers');
  for (const part of ['logDriver = "awslogs"', 'awslogs-group         = aws_cloudwatch_log_group.this.name'])
    if (!containers.includes(part)) throw new Error(`ecs-service containers must set ${part}`);
  expectEqual(
    resource(service, 'aws_cloudwatch_log_group', 'this').kms_key_id,
    '${var.log_group.kms_key_arn}',
    'task log group key',
  );
}

/** modules/ecs-service: Fargate, private subnets without public IPs, rollback on failed deployments. */
function checkSharedService(service: TfModule): void {
  const definition = resource(service, 'aws_ecs_task_definition', 'this');
  expectEqual(definition.container_definitions, '${jsonencode(local.containers)}', 'container definitions');
  expectEqual(definition.requires_compatibilities, ['FARGATE'], 'launch type');
  const ecsService = resource(service, 'aws_ecs_service', 'this');
  const breaker = single(ecsService.deployment_circuit_breaker, 'deployment_circuit_breaker');
  expectTrue(breaker.enable, 'circuit breaker');
  expectTrue(breaker.rollback, 'circuit breaker rollback');
  expectEqual(
    single(ecsService.network_configuration, 'network_configuration').assign_public_ip,
    false,
    'public IP',
  );
  const guard = validations(service, 'containers').join(' ');
  if (!guard.includes('readonlyRootFilesystem'))
    throw new Error('ecs-service must refuse containers without a read-only root filesystem');
}

function checkScorerScaling(scorer: TfModule, service: TfModule): void {
  const target = resource(service, 'aws_appautoscaling_target', 'this');
  expectEqual(target.min_capacity, '${var.autoscaling.min_tasks}', 'autoscaling min');
  expectEqual(target.max_capacity, '${var.autoscaling.max_tasks}', 'autoscaling max');
  const autoscaling = obj(moduleCall(scorer, 'scorer_service').autoscaling, 'scorer autoscaling');
  expectEqual(autoscaling.min_tasks, '${var.scorer.min_tasks}', 'scorer min_tasks');
  expectEqual(autoscaling.max_tasks, '${var.scorer.max_tasks}', 'scorer max_tasks');
  const lagAlarm = resource(scorer, 'aws_cloudwatch_metric_alarm', 'scorer_lag_scale_out');
  const precondition = str(
    single(single(lagAlarm.lifecycle, 'lag alarm lifecycle').precondition, 'precondition').condition,
    'precondition',
  );
  if (!precondition.includes('var.scorer.max_tasks <= module.msk.topics[local.input_topic].partitions'))
    throw new Error('max_tasks must be checked against the partitions of the input topic');
  if (!validations(service, 'autoscaling').some((c) => c.includes('min_tasks <= var.autoscaling.max_tasks')))
    throw new Error('min_tasks must be validated against max_tasks');
  const cpu = obj(obj(autoscaling.target_tracking, 'target_tracking').cpu, 'cpu policy');
  expectEqual(cpu.metric_type, 'ECSServiceAverageCPUUtilization', 'CPU target tracking');
  const policy = resource(service, 'aws_appautoscaling_policy', 'target_tracking');
  expectEqual(
    single(
      single(policy.target_tracking_scaling_policy_configuration, 'target tracking')
        .predefined_metric_specification,
      'predefined metric',
    ).predefined_metric_type,
    '${each.value.metric_type}',
    'target tracking metric',
  );
  expectEqual(lagAlarm.namespace, 'AWS/Kafka', 'lag metric namespace');
  expectEqual(lagAlarm.metric_name, 'SumOffsetLag', 'lag metric');
  expectEqual(
    lagAlarm.alarm_actions,
    ['${aws_appautoscaling_policy.scorer_lag.arn}'],
    'lag alarm scales out',
  );
  const lag = resource(scorer, 'aws_appautoscaling_policy', 'scorer_lag');
  expectEqual(lag.policy_type, 'StepScaling', 'lag policy');
  expectEqual(
    lag.resource_id,
    '${module.scorer_service.autoscaling_target.resource_id}',
    'lag policy target',
  );
}

/**
 * min_tasks <= max_tasks <= partitions of the input topic, with the environment's literal values
 * (envs/<env> passes them to modules/stack, which passes them to the scorer).
 */
function checkEnvScaling(
  env: TfModule,
  stack: TfModule,
  msk: TfModule,
): { min: number; max: number; partitions: number } {
  const call = obj(moduleCall(stack, 'scorer_service').autoscaling, 'scorer autoscaling');
  const topics = obj(variable(msk, 'topics').default, 'msk topics default');
  const input = str(stack.locals.input_topic, `${stack.dir}: local.input_topic`);
  if (moduleCall(stack, 'msk').topics !== undefined)
    throw new Error('a stack overriding topics must be checked here too');
  expectEqual(call.min_tasks, '${var.scorer.min_tasks}', 'stack passes min_tasks');
  expectEqual(call.max_tasks, '${var.scorer.max_tasks}', 'stack passes max_tasks');
  const sizes = obj(moduleCall(env, 'stack').scorer, `${env.dir}: scorer sizes`);
  const partitions = Number(obj(topics[input], `topic ${input}`).partitions);
  const min = Number(sizes.min_tasks);
  const max = Number(sizes.max_tasks);
  if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 1 && min <= max && max <= partitions)) {
    throw new Error(
      `${env.dir}: need 1 <= min_tasks (${min}) <= max_tasks (${max}) <= partitions (${partitions})`,
    );
  }
  return { min, max, partitions };
}

function checkEnvSecrets(stack: TfModule, redis: TfModule): void {
  expectEqual(moduleCall(stack, 'scorer_service').secrets, '${local.scorer_secrets}', 'scorer secrets');
  expectEqual(
    stack.locals.scorer_secrets,
    { REDIS_PASSWORD: '${module.redis.auth_token_secret_arn}' },
    `${stack.dir} scorer secrets`,
  );
  for (const value of [stack.locals.scorer_environment, stack.locals.scorer_container_environment])
    if (/auth_token|password|secret/i.test(show(value)))
      throw new Error(`${stack.dir}: scorer environment references a secret`);
  const redisEnv = obj(
    single(redis.output.scorer_environment, 'redis scorer_environment output').value,
    'redis scorer_environment',
  );
  expectEqual(Object.keys(redisEnv).sort(), ['REDIS_CLUSTER', 'REDIS_URL'], 'Redis plain settings');
  if (/random_password|auth_token/.test(JSON.stringify(redisEnv)))
    throw new Error('Redis URL embeds the auth token');
}

function checkModelBucket(artifacts: TfModule): void {
  const block = resource(artifacts, 'aws_s3_bucket_public_access_block', 'models');
  for (const key of [
    'block_public_acls',
    'block_public_policy',
    'ignore_public_acls',
    'restrict_public_buckets',
  ]) {
    expectTrue(block[key], `public access block ${key}`);
  }
  expectEqual(
    single(resource(artifacts, 'aws_s3_bucket_versioning', 'models').versioning_configuration, 'versioning')
      .status,
    'Enabled',
    'versioning',
  );
  const sse = single(
    single(
      resource(artifacts, 'aws_s3_bucket_server_side_encryption_configuration', 'models').rule,
      'sse rule',
    ).apply_server_side_encryption_by_default,
    'sse default',
  );
  expectEqual(sse.sse_algorithm, 'aws:kms', 'bucket encryption');
  expectEqual(sse.kms_master_key_id, '${module.key.key_arn}', 'bucket key');
  const statements = arr(
    dataSource(artifacts, 'aws_iam_policy_document', 'models_bucket').statement,
    'bucket policy',
  );
  const tlsOnly = statements
    .map((s) => obj(s, 'statement'))
    .find((s) => s.effect === 'Deny' && JSON.stringify(s.condition).includes('aws:SecureTransport'));
  if (!tlsOnly) throw new Error('bucket policy must deny requests without TLS');
}

function checkRepository(artifacts: TfModule): void {
  const repo = resource(artifacts, 'aws_ecr_repository', 'this');
  expectEqual(repo.image_tag_mutability, 'IMMUTABLE', 'ECR tags');
  expectTrue(single(repo.image_scanning_configuration, 'scanning').scan_on_push, 'ECR scan on push');
  expectEqual(
    single(repo.encryption_configuration, 'ECR encryption').encryption_type,
    'KMS',
    'ECR encryption',
  );
}

const SCORER_KAFKA_ACTIONS = [
  'kafka-cluster:AlterGroup',
  'kafka-cluster:AlterTransactionalId',
  'kafka-cluster:Connect',
  'kafka-cluster:DescribeGroup',
  'kafka-cluster:DescribeTopic',
  'kafka-cluster:DescribeTransactionalId',
  'kafka-cluster:ReadData',
  'kafka-cluster:WriteData',
  'kafka-cluster:WriteDataIdempotently',
];

/** Returns the kafka-cluster statements after checking them. */
function checkTaskRole(scorer: TfModule): Obj[] {
  const statements = arr(
    dataSource(scorer, 'aws_iam_policy_document', 'scorer_task').statement,
    'task policy',
  ).map((s) => obj(s, 'statement'));
  const actionsOf = (s: Obj): string[] => arr(s.actions, `actions of ${show(s.sid)}`).map(String);
  // A list-valued expression (e.g. a local built with for) is inspected as one string.
  const resourcesOf = (s: Obj): string[] =>
    typeof s.resources === 'string'
      ? [s.resources]
      : arr(s.resources, `resources of ${show(s.sid)}`).map(String);
  for (const s of statements) {
    if (s.effect !== undefined && s.effect !== 'Allow') continue;
    for (const action of actionsOf(s))
      if (action.includes('*')) throw new Error(`task role: wildcard action ${action}`);
    for (const res of resourcesOf(s))
      if (res === '*') throw new Error(`task role: statement ${show(s.sid)} allows every resource`);
  }
  const kafka = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kafka-cluster:')));
  const granted = [...new Set(kafka.flatMap(actionsOf))].sort();
  expectEqual(granted, SCORER_KAFKA_ACTIONS, 'scorer kafka-cluster actions');
  for (const s of kafka) {
    for (const res of resourcesOf(s)) {
      const resolved = resolveLocals(scorer, res);
      // Only the transactional ids are a prefix match: every task needs its own stable id.
      const allowedWildcard =
        resolved ===
        '${local.scorer_kafka.transactional_id_arn_prefix}/${local.scorer_kafka.transactional_id_prefix}-*';
      if (resolved.includes('*') && !allowedWildcard)
        throw new Error(`task role: wildcard kafka resource ${resolved}`);
    }
  }
  const bySid = (sid: string): Obj => {
    const found = kafka.find((s) => s.sid === sid);
    if (!found) throw new Error(`task role: no statement ${sid}`);
    return found;
  };
  expectEqual(
    resourcesOf(bySid('ConsumeTransactions')).map((r) => resolveLocals(scorer, r)),
    ['${local.scorer_kafka.topic_arn_prefix}/${local.scorer_kafka.input_topic}'],
    'consumed topic',
  );
  expectEqual(
    actionsOf(bySid('ConsumeTransactions')).sort(),
    ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
    'consume actions',
  );
  expectEqual(
    actionsOf(bySid('ProduceDecisionsAlertsDeadLetters')).sort(),
    ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
    'produce actions',
  );
  expectEqual(
    actionsOf(bySid('OwnConsumerGroup')).sort(),
    ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
    'group actions',
  );
  expectEqual(
    actionsOf(bySid('OwnTransactionalIds')).sort(),
    ['kafka-cluster:AlterTransactionalId', 'kafka-cluster:DescribeTransactionalId'],
    'transactional id actions',
  );
  return kafka;
}

// ---- the tests ----

const mods = new Map<string, TfModule>();
function mod(dir: string): TfModule {
  const found = mods.get(dir);
  if (!found) throw new Error(`module ${dir} not loaded`);
  return found;
}

beforeAll(async () => {
  for (const dir of [
    'modules/msk',
    'modules/redis',
    'modules/artifacts',
    'modules/network',
    'modules/ecs-service',
    'modules/model-access',
    'modules/internal-alb',
    'modules/stack',
    'envs/prod',
    'envs/dev',
  ]) {
    mods.set(dir, await loadModule(dir));
  }
});

describe('terraform: MSK', () => {
  it('uses SASL/IAM, TLS to clients and between brokers, a customer key at rest and three brokers', () => {
    expect(() => checkMsk(mod('modules/msk'))).not.toThrow();
  });

  it('configures topics on purpose, replicated 3 with min ISR 2, on Kafka 3.9', () => {
    const msk = mod('modules/msk');
    const properties = str(msk.locals.server_properties, 'server_properties');
    for (const line of [
      'auto.create.topics.enable=false',
      'min.insync.replicas=2',
      'default.replication.factor=3',
    ]) {
      expect(properties.split('\n').map((l) => l.trim())).toContain(line);
    }
    expect(str(variable(msk, 'kafka_version').default, 'kafka_version')).toMatch(/^3\.9\./);
    const topics = obj(variable(msk, 'topics').default, 'topics');
    expect(Object.keys(topics).sort()).toEqual([
      'fraud.decisions',
      'fraud.labels',
      'fraud_alerts',
      'payments.transactions',
      'payments.transactions.dlq',
    ]);
    expect(obj(topics['payments.transactions'], 'input topic').partitions).toBe(12);
  });

  it('exports the scorer settings for MSK IAM', () => {
    const value = obj(
      single(mod('modules/msk').output.scorer_environment, 'output').value,
      'scorer_environment',
    );
    expect(value).toEqual({
      KAFKA_BROKERS: '${aws_msk_cluster.this.bootstrap_brokers_sasl_iam}',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'aws-msk-iam',
    });
  });
});

describe('terraform: Redis', () => {
  it('encrypts in transit and at rest, authenticates with a generated token kept in Secrets Manager, fails over across zones', () => {
    expect(() => checkRedis(mod('modules/redis'))).not.toThrow();
  });
});

describe('terraform: scorer on ECS', () => {
  it('runs non-root on a read-only root filesystem with a health check and awslogs', () => {
    expect(() =>
      checkScorerTask(mod('modules/stack'), mod('modules/ecs-service'), mod('modules/model-access')),
    ).not.toThrow();
  });

  it('scales on CPU and consumer lag between validated bounds', () => {
    expect(() => checkScorerScaling(mod('modules/stack'), mod('modules/ecs-service'))).not.toThrow();
  });

  it.each(['envs/prod', 'envs/dev'])(
    '%s keeps min_tasks <= max_tasks <= partitions and passes the Redis token as a secret',
    (dir) => {
      const bounds = checkEnvScaling(mod(dir), mod('modules/stack'), mod('modules/msk'));
      expect(bounds.partitions).toBe(12);
      expect(bounds.max).toBeLessThanOrEqual(12);
      expect(() => checkEnvSecrets(mod('modules/stack'), mod('modules/redis'))).not.toThrow();
    },
  );

  it('gives the task role only its topics, group and transactional ids on MSK', () => {
    const kafka = checkTaskRole(mod('modules/stack'));
    expect(kafka.length).toBe(5);
  });
});

describe('terraform: artifacts and network', () => {
  it('keeps the model bucket private, versioned, KMS-encrypted and TLS-only', () => {
    expect(() => checkModelBucket(mod('modules/artifacts'))).not.toThrow();
  });

  it('scans images on push with immutable tags and a KMS key', () => {
    expect(() => checkRepository(mod('modules/artifacts'))).not.toThrow();
  });

  it('gives no service security group internet egress', () => {
    const network = mod('modules/network');
    const egress = obj(network.resource.aws_vpc_security_group_egress_rule, 'egress rules');
    const open = Object.entries(egress).filter(([, blocks]) => JSON.stringify(blocks).includes('0.0.0.0/0'));
    expect(open.map(([name]) => name)).toEqual(['admin_https_internet']);
    expect(single(egress.admin_https_internet, 'admin egress').security_group_id).toBe(
      '${aws_security_group.this["msk_admin"].id}',
    );
  });
});

describe('terraform: the checks reject insecure variants', () => {
  it('rejects MSK with plaintext to clients', async () => {
    const text = readFileSync(path.join(TERRAFORM_DIR, 'modules/msk/main.tf'), 'utf8');
    expect(text).toContain('client_broker = "TLS"');
    const variant = await parseSnippet(
      'variant',
      text.replace('client_broker = "TLS"', 'client_broker = "TLS_PLAINTEXT"'),
    );
    Object.assign(variant.variable, mod('modules/msk').variable);
    expect(() => checkMsk(variant)).toThrow(/client_broker/);
  });

  it('rejects a scorer running as root', async () => {
    const text = readFileSync(path.join(TERRAFORM_DIR, 'modules/stack/scorer.tf'), 'utf8');
    expect(text).toContain('user                   = "1000:1000"');
    const variant = await parseSnippet(
      'variant',
      text.replace('user                   = "1000:1000"', 'user                   = "0"'),
    );
    Object.assign(variant.variable, mod('modules/stack').variable);
    expect(() => checkScorerTask(variant, mod('modules/ecs-service'), mod('modules/model-access'))).toThrow(
      /scorer runs as root/,
    );
  });

  it('rejects a bucket that allows public ACLs', async () => {
    const text = readFileSync(path.join(TERRAFORM_DIR, 'modules/artifacts/main.tf'), 'utf8');
    const variant = await parseSnippet(
      'variant',
      text.replace('block_public_acls       = true', 'block_public_acls       = false'),
    );
    expect(() => checkModelBucket(variant)).toThrow(/block_public_acls/);
  });

  it('rejects a task role with a wildcard kafka-cluster resource', async () => {
    const text = readFileSync(path.join(TERRAFORM_DIR, 'modules/stack/scorer.tf'), 'utf8');
    expect(text).toContain('resources = [local.input_topic_arn]');
    const variant = await parseSnippet(
      'variant',
      text.replace(
        'resources = [local.input_topic_arn]',
        'resources = ["${local.scorer_kafka.topic_arn_prefix}/*"]',
      ),
    );
    Object.assign(variant.locals, { ...mod('modules/stack').locals, ...variant.locals });
    expect(() => checkTaskRole(variant)).toThrow(/wildcard kafka resource/);
  });

  it('rejects more tasks than partitions', async () => {
    const [env, stack, msk] = [mod('envs/prod'), mod('modules/stack'), mod('modules/msk')];
    const variant = await parseSnippet(
      'variant',
      'module "stack" {\n  source = "../../modules/stack"\n  scorer = { task_cpu = 2048, task_memory_mib = 4096, min_tasks = 3, max_tasks = 13 }\n}\n',
    );
    expect(() => checkEnvScaling(env, stack, msk)).not.toThrow();
    expect(() => checkEnvScaling(variant, stack, msk)).toThrow(/max_tasks \(13\)/);
  });
});

// ---- the synchronous scoring API (services/api) ----

/** modules/internal-alb: internal, drops invalid headers, HTTPS with a TLS 1.3 policy. */
function checkInternalAlb(alb: TfModule): void {
  const lb = resource(alb, 'aws_lb', 'this');
  expectTrue(lb.internal, 'load balancer internal');
  expectTrue(lb.drop_invalid_header_fields, 'load balancer drops invalid headers');
  const https = resource(alb, 'aws_lb_listener', 'https');
  expectEqual(https.protocol, 'HTTPS', 'HTTPS listener');
  if (!/TLS13/.test(str(https.ssl_policy, 'ssl_policy')))
    throw new Error('the HTTPS listener must use a TLS 1.3 policy');
  const health = single(resource(alb, 'aws_lb_target_group', 'this').health_check, 'health check');
  expectEqual(health.path, '${var.health_check.path}', 'target health check path');
  // ECS refuses a target group that no listener uses yet: the output waits for the listeners.
  expectEqual(
    single(alb.output.target_group_arn, 'target_group_arn output').depends_on,
    ['${aws_lb_listener.https}', '${aws_lb_listener.http}'],
    'target group ARN waits for the listeners',
  );
}

function checkApiService(api: TfModule, alb: TfModule, service: TfModule): void {
  checkInternalAlb(alb);
  const albCall = moduleCall(api, 'api_alb');
  expectEqual(obj(albCall.health_check, 'API health check').path, '/readyz', 'API target health check path');

  const container = obj(api.locals.api_container, 'api_container');
  expectEqual(container.user, '1000:1000', 'API user');
  expectTrue(container.readonlyRootFilesystem, 'API read-only root filesystem');
  expectEqual(
    container.command,
    ['node', '--import', 'tsx', 'services/api/src/main.ts'],
    'API command (the scorer image runs the API)',
  );
  const mounts = arr(container.mountPoints, 'API mountPoints').map((m) => obj(m, 'mount point'));
  expectEqual(
    mounts.find((m) => m.sourceVolume === 'models')?.readOnly ?? null,
    true,
    'API models read-only',
  );
  // API_KEYS come from Secrets Manager through `secrets`, never through `environment`.
  expectEqual(
    api.locals.api_secrets,
    '${merge(local.scorer_secrets, { API_KEYS = aws_secretsmanager_secret.api_keys.arn })}',
    'API secrets',
  );
  if (/API_KEYS/.test(show(api.locals.api_environment)))
    throw new Error('API_KEYS must not be in the environment');
  expectEqual(
    resource(api, 'aws_secretsmanager_secret', 'api_keys').kms_key_id,
    '${module.api_keys_key.key_arn}',
    'API keys secret encrypted with its own key',
  );

  const call = moduleCall(api, 'api_service');
  expectEqual(
    call.containers,
    ['${local.api_container}', '${module.api_models.sync_container}'],
    'API containers',
  );
  expectEqual(call.secrets, '${local.api_secrets}', 'the execution role reads the API secrets');
  const requests = obj(
    obj(obj(call.autoscaling, 'API autoscaling').target_tracking, 'target_tracking').requests,
    'requests policy',
  );
  expectEqual(requests.metric_type, 'ALBRequestCountPerTarget', 'API scaling metric');
  expectEqual(requests.resource_label, '${module.api_alb.request_count_label}', 'API scaling metric label');
  expectEqual(
    single(alb.output.request_count_label, 'request_count_label').value,
    '${aws_lb.this.arn_suffix}/${aws_lb_target_group.this.arn_suffix}',
    'request count label',
  );
  expectEqual(
    obj(obj(call.service, 'API service').load_balancer, 'API load_balancer').target_group_arn,
    '${module.api_alb.target_group_arn}',
    'API target group',
  );
  checkSharedService(service);
}

describe('terraform: scoring API on ECS', () => {
  it('runs behind an internal load balancer, non-root, keys from Secrets Manager, scaling on requests per target', () => {
    expect(() =>
      checkApiService(mod('modules/stack'), mod('modules/internal-alb'), mod('modules/ecs-service')),
    ).not.toThrow();
  });

  it('shares the scorer image and Redis settings in every environment; production requires HTTPS', () => {
    const stack = mod('modules/stack');
    const api = obj(stack.locals.api_container, 'api_container');
    const scorer = obj(stack.locals.scorer_container, 'scorer_container');
    expect(api.image).toBe('${local.scorer_image}');
    expect(api.image).toBe(scorer.image);
    expect(str(stack.locals.api_environment, 'api_environment')).toMatch(
      /^\$\{merge\(module\.redis\.scorer_environment, /,
    );
    expect(moduleCall(stack, 'api_alb').security_group_id).toBe(
      '${module.network.security_group_ids["api_alb"]}',
    );
    for (const dir of ['envs/dev', 'envs/prod']) {
      expect(obj(moduleCall(mod(dir), 'stack').api, `${dir} api`).certificate_arn).toBe(
        '${var.api_certificate_arn}',
      );
    }
    expect(variable(mod('envs/prod'), 'api_certificate_arn').default).toBeUndefined();
    expect(validations(mod('envs/prod'), 'api_certificate_arn').join()).toMatch(/acm/);
  });

  it('lets only the API clients and operators reach the API load balancer', () => {
    const ingress = obj(mod('modules/network').locals.ingress_rules, 'ingress_rules');
    const toApiAlb = Object.values(ingress)
      .map((rule) => obj(rule, 'ingress rule'))
      .filter((rule) => rule.sg === 'api_alb')
      .map((rule) => rule.peer);
    expect(toApiAlb.sort()).toEqual(['api_clients', 'msk_admin']);
  });

  it('rejects an API load balancer facing the internet', async () => {
    const text = readFileSync(path.join(TERRAFORM_DIR, 'modules/internal-alb/main.tf'), 'utf8');
    expect(text).toContain('internal                   = true');
    const variant = await parseSnippet(
      'variant',
      text.replace('internal                   = true', 'internal                   = false'),
    );
    Object.assign(variant.output, mod('modules/internal-alb').output);
    expect(() => checkInternalAlb(variant)).toThrow(/internal/);
  });
});
