import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import { isRegistryNotFound } from '@fraud/contracts';
import type { Logger } from '@fraud/observability';
import { abortableSleep } from '@fraud/runtime';

/** A topic or registry subject the scorer needs did not appear within the start-up wait. */
export class StartupDependencyError extends Error {
  constructor(
    readonly missing: string[],
    waitedMs: number,
  ) {
    super(`still missing after ${Math.round(waitedMs / 1000)} s: ${missing.join(', ')}`);
    this.name = 'StartupDependencyError';
  }
}

export interface PreflightOptions {
  kafka: Kafka;
  registry: SchemaRegistry;
  /** Every topic the scorer reads or writes. */
  topics: string[];
  /** The value subject of the input topic: upstream producers register the Transaction schema there. */
  inputSubject: string;
  timeoutMs: number;
  /** @default 2000 */
  pollMs?: number;
  logger: Logger;
  /** Told what is still missing (readiness detail); empty when everything is there. */
  onMissing?: (missing: string[]) => void;
  /** A stop request during the wait: the wait ends at once with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Waits (bounded) until every topic exists and the input subject is registered, logging ONE line
 * per missing thing with its fix, so a scorer started on a fresh cluster says what to do instead
 * of looping on "This server does not host this topic-partition". Throws StartupDependencyError
 * when the wait ends with something still missing; registry or broker outages propagate as they are.
 */
export async function awaitStartupDependencies(o: PreflightOptions): Promise<void> {
  const started = Date.now();
  const reported = new Set<string>();
  const admin = o.kafka.admin();
  await admin.connect();
  try {
    for (;;) {
      const existing = new Set(await admin.listTopics());
      const missing: string[] = [];
      for (const topic of o.topics) {
        if (existing.has(topic)) continue;
        missing.push(`topic ${topic}`);
        if (reported.has(topic)) continue;
        reported.add(topic);
        o.logger.error(
          {
            topic,
            fix: `create it (kafka-topics.sh --bootstrap-server <brokers> --create --topic ${topic} --partitions <n>) or, locally, start with SCORER_CREATE_TOPICS=true`,
          },
          'required topic missing',
        );
      }
      let subjectMissing = false;
      try {
        await o.registry.getLatestSchemaId(o.inputSubject);
      } catch (error) {
        if (!isRegistryNotFound(error)) throw error;
        subjectMissing = true;
      }
      if (subjectMissing) {
        missing.push(`registry subject ${o.inputSubject}`);
        if (!reported.has(o.inputSubject)) {
          reported.add(o.inputSubject);
          o.logger.error(
            {
              subject: o.inputSubject,
              fix: 'register the Transaction schema (schemas/transaction.avsc) under it, as the upstream producer does on its first send, or, locally, start with SCORER_CREATE_TOPICS=true',
            },
            'registry subject missing',
          );
        }
      }
      o.onMissing?.(missing);
      if (missing.length === 0) {
        if (reported.size > 0) o.logger.info('start-up dependencies present');
        return;
      }
      const waitedMs = Date.now() - started;
      if (waitedMs >= o.timeoutMs) throw new StartupDependencyError(missing, waitedMs);
      const pollMs = Math.min(o.pollMs ?? 2_000, o.timeoutMs - waitedMs);
      if (!(await abortableSleep(pollMs, o.signal))) o.signal?.throwIfAborted();
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
