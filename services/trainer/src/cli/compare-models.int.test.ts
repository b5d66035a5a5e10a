import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { FraudDecision, FraudLabel } from '@fraud/contracts';
import { createDecisionLabelTopics, testDecision } from '@fraud/contracts/testing';
import { stackSettings, testKafka, uniqueName } from '@fraud/test-support';
import { REPO_ROOT } from '../python-step.ts';
import type { ComparisonReport } from './model-comparison.ts';

const execFileAsync = promisify(execFile);

describe('compare-models CLI', () => {
  it('reads committed decisions and labels and reports both models at their own thresholds', async () => {
    const settings = stackSettings();
    const kafka = testKafka(settings, 'compare-models');
    const base = uniqueName('compare-models');
    const { topics, decisionSerde, labelSerde } = await createDecisionLabelTopics(
      kafka,
      settings.schemaRegistryUrl,
      base,
    );

    const decisions: FraudDecision[] = Array.from({ length: 100 }, (_, i) =>
      testDecision({
        transactionId: `${base}-${i}`,
        score: i < 20 ? 0.9 : 0.01,
        decision: i < 20 ? 'BLOCK' : 'ALLOW',
        thresholds: { review: 0.1, block: 0.8 },
        modelVersion: 'champ',
        eventTime: 1_700_000_000_000 + i,
        scoredAt: 1_700_000_000_100 + i,
        challengerModelVersion: 'not-in-the-models-dir',
        challengerScore: i < 10 ? 0.9 : 0.01,
      }),
    );
    // Frauds are 0..9 and 50..59: the champion catches 10 of 20 with 10 false positives.
    const labels: FraudLabel[] = decisions.map((d, i) => ({
      transactionId: d.transactionId,
      isFraud: i < 10 || (i >= 50 && i < 60),
      source: 'simulator',
      labeledAt: d.scoredAt + 1,
    }));
    // Decisions as the scorer writes them (transactionally); labels plainly, like the simulator.
    const producer = kafka.producer({
      transactionalId: `${base}-tx`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const transaction = await producer.transaction();
    await transaction.send({
      topic: topics.decisions,
      messages: decisions.map((d) => ({ key: d.transactionId, value: decisionSerde.encode(d) })),
    });
    await transaction.commit();
    await producer.send({
      topic: topics.labels,
      messages: labels.map((l) => ({ key: l.transactionId, value: labelSerde.encode(l) })),
    });
    await producer.disconnect();

    const { stdout } = await execFileAsync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(REPO_ROOT, 'services/trainer/src/cli/compare-models.ts'),
        '--decisions',
        topics.decisions,
        '--labels',
        topics.labels,
        '--max-seconds',
        '60',
        '--json',
        '-',
      ],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          KAFKA_BROKERS: settings.kafkaBrokers.join(','),
          SCHEMA_REGISTRY_URL: settings.schemaRegistryUrl,
        },
      },
    );
    const report = JSON.parse(stdout) as ComparisonReport;
    expect(report.decisions).toBe(100);
    expect(report.labels).toBe(100);
    const pair = report.pairs[0]!;
    expect(pair.challenger).toBe('not-in-the-models-dir');
    expect(pair.champions.levels![0]).toMatchObject({
      level: 'review',
      tp: 10,
      fp: 10,
      fn: 10,
      precision: 0.5,
      recall: 0.5,
    });
    expect(pair.challengers!.levels).toBeUndefined(); // no manifest: thresholds unknown, not guessed
  });
});
