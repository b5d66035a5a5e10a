// Structural checks of terraform/modules/ecs-retrainer (the feedback loop's scheduled job), read
// from the HCL because `terraform validate/plan` cannot run offline.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

interface Hcl2Json {
  parse(fileName: string, contents: string): Promise<Record<string, unknown>>;
}
const hcl2json = createRequire(import.meta.url)('@cdktf/hcl2json') as Hcl2Json;
const MODULE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../modules/ecs-retrainer');

type Blocks = Record<string, Record<string, Record<string, unknown>[]>>;
let resource: Blocks = {};
let data: Blocks = {};
let modules: Record<string, Record<string, unknown>[]> = {};
let text = '';

beforeAll(async () => {
  for (const file of readdirSync(MODULE_DIR).filter((f) => f.endsWith('.tf'))) {
    const contents = readFileSync(path.join(MODULE_DIR, file), 'utf8');
    text += contents;
    const parsed = (await hcl2json.parse(file, contents)) as {
      resource?: Blocks;
      data?: Blocks;
      module?: Record<string, Record<string, unknown>[]>;
    };
    resource = { ...resource, ...parsed.resource };
    data = { ...data, ...parsed.data };
    modules = { ...modules, ...parsed.module };
  }
});

type Statement = { sid: string; actions: string[]; resources: string[] };
const statements = (policy: string): Statement[] =>
  data.aws_iam_policy_document![policy]![0]!.statement as Statement[];

describe('terraform: retrainer scheduled task', () => {
  it('is an EventBridge Scheduler schedule running the task on Fargate in private subnets', () => {
    const schedule = resource.aws_scheduler_schedule!.retrainer![0]!;
    const target = (schedule.target as Record<string, unknown>[])[0]!;
    const ecs = (target.ecs_parameters as Record<string, unknown>[])[0]!;
    expect(ecs.launch_type).toBe('FARGATE');
    const network = (ecs.network_configuration as Record<string, unknown>[])[0]!;
    expect(network.assign_public_ip).toBe(false);
  });

  it('reads only the decisions and labels topics and writes no Kafka data', () => {
    const task = statements('task');
    const kafkaActions = task.flatMap((s) => s.actions).filter((a) => a.startsWith('kafka-cluster:'));
    expect(kafkaActions).not.toContain('kafka-cluster:WriteData');
    expect(kafkaActions.some((a) => a.includes('*'))).toBe(false);
    const read = task.find((s) => s.sid === 'ReadDecisionsAndLabels')!;
    expect(read.resources.join(' ')).toMatch(/decisions_topic.*labels_topic/s);
    expect(task.flatMap((s) => s.resources).some((r) => r === '*')).toBe(false);
    // The model statements come from modules/model-access, in its read-write form.
    expect(data.aws_iam_policy_document!.task![0]!.source_policy_documents).toEqual([
      '${module.model_access.policy_json}',
    ]);
    expect(modules.model_access![0]!.write).toBe(true);
  });

  it('lets the scheduler start only this task definition and pass only its two roles', () => {
    const scheduler = statements('scheduler');
    expect(scheduler.find((s) => s.sid === 'RunRetrainerTask')!.resources[0]).toBe(
      '${module.task.task_definition_arn_without_revision}:*',
    );
    expect(scheduler.find((s) => s.sid === 'PassTaskRoles')!.resources).toEqual([
      '${module.task.execution_role_arn}',
      '${module.task.task_role_arn}',
    ]);
    // A task definition without a service: modules/ecs-service creates neither service nor scaling.
    const task = modules.task![0]!;
    expect(task.source).toBe('../ecs-service');
    expect(task.service).toBeUndefined();
    expect(task.autoscaling).toBeUndefined();
  });

  it('runs every container with a read-only root filesystem and all capabilities dropped; registry.json uploads last', () => {
    expect(text.match(/readonlyRootFilesystem\s*=\s*true/g)).toHaveLength(3);
    expect(text.match(/drop = \["ALL"\]/g)).toHaveLength(3);
    expect(text).toMatch(/--exclude registry\.json[\s\S]*aws s3 cp \/models\/registry\.json/);
    expect(text).not.toContain('logConfiguration'); // modules/ecs-service adds awslogs to every container
    const logs = modules.task![0]!.log_group as Record<string, unknown>;
    expect(logs.kms_key_arn).toBe('${var.log_kms_key_arn}');
  });
});
