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
let text = '';

beforeAll(async () => {
  for (const file of readdirSync(MODULE_DIR).filter((f) => f.endsWith('.tf'))) {
    const contents = readFileSync(path.join(MODULE_DIR, file), 'utf8');
    text += contents;
    const parsed = (await hcl2json.parse(file, contents)) as { resource?: Blocks; data?: Blocks };
    resource = { ...resource, ...parsed.resource };
    data = { ...data, ...parsed.data };
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
  });

  it('lets the scheduler start only this task definition and pass only its two roles', () => {
    const scheduler = statements('scheduler');
    expect(scheduler.find((s) => s.sid === 'RunRetrainerTask')!.resources[0]).toContain(
      'aws_ecs_task_definition.retrainer',
    );
    expect(scheduler.find((s) => s.sid === 'PassTaskRoles')!.resources).toEqual([
      '${aws_iam_role.execution.arn}',
      '${aws_iam_role.task.arn}',
    ]);
  });

  it('runs every container with a read-only root filesystem and all capabilities dropped; registry.json uploads last', () => {
    expect(text.match(/readonlyRootFilesystem\s*=\s*true/g)).toHaveLength(3);
    expect(text.match(/drop = \["ALL"\]/g)).toHaveLength(3);
    expect(text).toMatch(/--exclude registry\.json[\s\S]*aws s3 cp \/models\/registry\.json/);
    const logs = resource.aws_cloudwatch_log_group!.retrainer![0]!;
    expect(logs.kms_key_id).toBe('${var.log_kms_key_arn}');
  });
});
