import { DecisionValues, RegistryUnavailableError } from '@fraud/contracts';
import { FeatureStoreUnavailableError } from '@fraud/features';
import { PartitionFencedError, classifyKafkaError } from '@fraud/kafka';
import { ExponentialBackoff, IllegalStateError, abortableSleep } from '@fraud/runtime';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { ProcessedChunk } from './batch-processor.ts';
import {
  compileScorerWorkerOptions,
  type CompiledScorerWorkerOptions,
  type ScorerWorkerOptions,
} from './worker-options.ts';

export type { ScorerWorkerOptions } from './worker-options.ts';

/** Which dependency an error belongs to, when it is a dependency's fault (retry) rather than ours (fail). */
function failedDependency(error: unknown): 'redis' | 'registry' | 'kafka' | undefined {
  if (error instanceof FeatureStoreUnavailableError) return 'redis';
  if (error instanceof RegistryUnavailableError) return 'registry';
  // A fenced producer (another instance owns our transactional id) is not retried here.
  if (classifyKafkaError(error) === 'transient') return 'kafka';
  return undefined;
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * The streaming worker: a consumer-group member that scores every transaction once and commits
 * its outputs together with the consumed offsets in one Kafka transaction per chunk.
 *
 * It runs under the ServiceLifecycle of its options (`start` and `close` are that lifecycle's
 * hooks, through the app): an unrecoverable error calls `lifecycle.fail`, which shuts the whole
 * service down under the one shutdown deadline.
 */
export class ScorerWorker {
  private consumer: Consumer | undefined;
  private dependencyDown: string | undefined;
  private joined = false;
  private waitingFor: string[] = [];
  /** Counts group joins: a partition is claimed (fencing its previous owner) once per assignment. */
  private generation = 0;
  private closing: Promise<void> | undefined;

  private readonly options: CompiledScorerWorkerOptions;

  constructor(options: ScorerWorkerOptions) {
    this.options = compileScorerWorkerOptions(options);
    // Scraped, not pushed: the gauge cannot disagree with the state it reports.
    this.options.metrics.deriveReadiness(() => this.isReady());
  }

  /** Ready = running, in the group (not before the join, not after a crash), and the last dependency call succeeded. */
  isReady(): boolean {
    return this.options.lifecycle.state === 'RUNNING' && this.joined && this.dependencyDown === undefined;
  }

  readinessDetail(): Record<string, unknown> {
    return {
      state: this.options.lifecycle.state,
      joinedGroup: this.joined,
      dependencyDown: this.dependencyDown ?? null,
      ...(this.waitingFor.length > 0 ? { missing: this.waitingFor } : {}),
    };
  }

  /** Waits for its topics, connects and joins the group; `signal` (a stop request) ends the wait. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.consumer !== undefined)
      throw new IllegalStateError('starting the scorer worker again', 'started');
    const { kafka, groupId, topics, logger } = this.options;
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      maxBytesPerPartition: this.options.maxBytesPerPartition,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: this.options.heartbeatIntervalMs,
      maxWaitTimeInMs: this.options.maxWaitTimeMs,
      // Kafka transactions commit our offsets; kafkajs must never commit on its own.
      retry: { retries: this.options.consumerRetries },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.joined = true;
      this.generation++;
      this.releaseRevoked(event.payload.memberAssignment[topics.transactions] ?? []);
      // Forget the lag of partitions this member no longer owns; the next batches refill it.
      this.options.metrics.consumerLag.reset();
      logger.info(
        { memberId: event.payload.memberId, assignment: event.payload.memberAssignment },
        'joined consumer group',
      );
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      logger.error({ err: error, restart }, 'consumer crashed');
      this.joined = false;
      if (!restart) this.options.lifecycle.fail(error);
    });
    await this.options.preflight?.((missing) => {
      this.waitingFor = missing;
    }, signal);
    this.waitingFor = [];
    signal.throwIfAborted();
    await this.options.committer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: topics.transactions, fromBeginning: true });
    signal.throwIfAborted();
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    logger.info({ groupId, topic: topics.transactions }, 'scorer started');
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { metrics, topics } = this.options;
    metrics.consumed.inc({ topic: batch.topic }, batch.messages.length);
    const generation = this.generation;
    const messages = await this.claimedMessages(payload, generation);
    if (messages === undefined) return;
    for (const chunk of chunksOf(messages, this.options.maxBatchSize)) {
      // Rebalanced or stopping: the rest is redelivered (to us or to the new owner).
      if (!payload.isRunning() || payload.isStale() || generation !== this.generation) return;
      const processed = await this.withDependencyRetry(payload, () =>
        this.processAndCommit(batch.topic, batch.partition, chunk, generation),
      );
      if (processed === undefined) return;
      payload.resolveOffset(chunk[chunk.length - 1]!.offset);
      this.record(processed, chunk);
      await payload.heartbeat();
    }
    metrics.consumerLag.set(
      { topic: topics.transactions, partition: String(batch.partition) },
      Number(batch.offsetLag()),
    );
  }

  /**
   * The batch's messages that are ours to process. The first batch of a partition after a group
   * join claims it (fencing its previous owner, whose open transaction is aborted or completed
   * first) and reads its committed offset, which is final only after that claim: records below it
   * were committed by the previous owner and are skipped. Undefined = process nothing now.
   */
  private async claimedMessages(
    payload: EachBatchPayload,
    generation: number,
  ): Promise<KafkaMessage[] | undefined> {
    const { batch } = payload;
    const { committer, logger } = this.options;
    if (batch.messages.length === 0) return undefined;
    if (committer.isClaimed(batch.topic, batch.partition, generation)) return batch.messages;
    const claimed = await this.withDependencyRetry(payload, async () => ({
      committed: await committer.claim(batch.topic, batch.partition, generation),
    }));
    if (claimed === undefined) return undefined;
    const { committed } = claimed;
    // Where this fetch started (kafkajs keeps it on the batch; control records and aborted
    // records are not in `messages`, so the first message can lie beyond it).
    const fetchedOffset = (batch as unknown as { fetchedOffset?: string }).fetchedOffset;
    const first = BigInt(fetchedOffset ?? batch.messages[0]!.offset);
    logger.info(
      {
        partition: batch.partition,
        committedOffset: committed?.toString() ?? null,
        fetchedFrom: first.toString(),
      },
      'partition claimed',
    );
    if (committed === undefined || committed === first) return batch.messages;
    if (committed < first) {
      // Fetched past the committed offset: records in between were never committed. Go back.
      logger.warn(
        { partition: batch.partition, committedOffset: committed.toString() },
        'rewinding to the committed offset',
      );
      this.consumer?.seek({ topic: batch.topic, partition: batch.partition, offset: committed.toString() });
      return undefined;
    }
    const rest = batch.messages.filter((m) => BigInt(m.offset) >= committed);
    logger.info(
      { partition: batch.partition, skipped: batch.messages.length - rest.length },
      'skipped records the previous owner committed',
    );
    payload.resolveOffset((committed - 1n).toString());
    return rest.length > 0 ? rest : undefined;
  }

  /** Closes the producers of partitions this member no longer owns (fire and forget). */
  private releaseRevoked(assigned: number[]): void {
    const { committer, topics, logger } = this.options;
    void committer
      .releaseAllExcept(topics.transactions, assigned)
      .catch((error: unknown) => logger.warn({ err: error }, 'closing revoked partition producers failed'));
  }

  /** Scores a chunk and commits decisions, alerts, dead letters and the offset in ONE transaction. */
  private async processAndCommit(
    topic: string,
    partition: number,
    chunk: KafkaMessage[],
    /** The generation whose claim the chunk was fetched under: only that claim may commit it. */
    generation: number,
  ): Promise<ProcessedChunk> {
    const { processor, committer, topics, metrics } = this.options;
    const processed = await processor.process(topic, partition, chunk);
    const started = performance.now();
    await committer.commit(
      {
        topicMessages: [
          { topic: topics.decisions, messages: processed.decisions },
          { topic: topics.alerts, messages: processed.alerts },
          { topic: topics.dlq, messages: processed.deadLetters },
        ],
        offset: { topic, partition, offset: (BigInt(chunk[chunk.length - 1]!.offset) + 1n).toString() },
      },
      generation,
    );
    metrics.stageDuration.observe({ stage: 'produce' }, (performance.now() - started) / 1000);
    return processed;
  }

  /**
   * Runs `work` until it succeeds, retrying dependency failures with capped exponential backoff
   * while heartbeating, so the partition pauses instead of skipping records. Returns undefined if
   * the batch went stale (rebalance) or the worker is stopping; rethrows anything else.
   */
  private async withDependencyRetry<T>(
    payload: EachBatchPayload,
    work: () => Promise<T>,
  ): Promise<T | undefined> {
    const { logger, metrics, retryInitialBackoffMs, retryMaxBackoffMs, lifecycle } = this.options;
    const backoff = new ExponentialBackoff({ initialMs: retryInitialBackoffMs, maxMs: retryMaxBackoffMs });
    for (;;) {
      try {
        const result = await work();
        if (this.dependencyDown) logger.info({ dependency: this.dependencyDown }, 'dependency recovered');
        this.dependencyDown = undefined;
        return result;
      } catch (error) {
        if (error instanceof PartitionFencedError) {
          // Another member claimed the partition: we are a zombie of an older generation (or the
          // coordinator aborted our transaction on timeout). Nothing of this chunk is visible.
          // The heartbeat throws if a rebalance is under way, which sends kafkajs to rejoin.
          logger.warn(
            { partition: payload.batch.partition },
            'partition fenced by a newer owner; chunk dropped',
          );
          await payload.heartbeat();
          return undefined;
        }
        const dependency = failedDependency(error);
        if (!dependency) {
          lifecycle.fail(error);
          throw error;
        }
        if (dependency === 'redis') metrics.redisErrors.inc();
        metrics.dependencyRetries.inc({ dependency });
        this.dependencyDown = dependency;
        const backoffMs = backoff.next();
        logger.warn(
          { err: error, dependency, backoffMs, partition: payload.batch.partition },
          'dependency failed; retrying batch',
        );
        // A shutdown ends the wait at once: the chunk is redelivered to the next owner.
        if (!(await abortableSleep(backoffMs, lifecycle.signal))) return undefined;
        if (!payload.isRunning() || payload.isStale()) return undefined;
        try {
          await payload.heartbeat();
        } catch (heartbeatError) {
          logger.warn({ err: heartbeatError }, 'heartbeat failed during retry');
        }
      }
    }
  }

  /** Chunk metrics: counters once per chunk and decision, latency histograms once per transaction. */
  private record(processed: ProcessedChunk, chunk: KafkaMessage[]): void {
    const { metrics, logger } = this.options;
    const doneAt = Date.now();
    metrics.batchSize.observe(chunk.length);
    for (const [stage, ms] of Object.entries(processed.stageMs)) {
      // shadow and explain only cost something when a challenger runs or a row was flagged.
      if (ms > 0 || (stage !== 'shadow' && stage !== 'explain'))
        metrics.stageDuration.observe({ stage }, ms / 1000);
    }
    const fromEventTime = metrics.endToEndLatency.labels({ from: 'event_time' });
    const fromAppendTime = metrics.endToEndLatency.labels({ from: 'append_time' });
    const perDecision = { ALLOW: 0, REVIEW: 0, BLOCK: 0 };
    for (const s of processed.scored) {
      perDecision[s.decision]++;
      fromEventTime.observe(Math.max(0, doneAt - s.eventTime) / 1000);
      if (Number.isFinite(s.appendTime)) fromAppendTime.observe(Math.max(0, doneAt - s.appendTime) / 1000);
    }
    for (const decision of DecisionValues) {
      const count = perDecision[decision];
      if (count === 0) continue;
      const labels = { decision, model_version: processed.modelVersion };
      metrics.scored.inc(labels, count);
      if (decision !== 'ALLOW') metrics.alerts.inc(labels, count);
    }
    for (const d of processed.deadLettered) {
      metrics.deadLettered.inc({ reason: d.reason });
      logger.warn({ offset: d.offset, reason: d.reason, error: d.error.message }, 'record dead-lettered');
    }
  }

  /**
   * Graceful stop: stop fetching, let in-flight batches finish and commit, leave the group, close
   * the producer. A second call returns the same promise. Every step runs even if one fails.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const { logger, committer, lifecycle } = this.options;
    const errors: unknown[] = [];
    if (this.consumer) {
      // stop() waits for the batches in flight; disconnect() then leaves the group.
      await this.consumer.stop().catch((e: unknown) => errors.push(e));
      await this.consumer.disconnect().catch((e: unknown) => errors.push(e));
    }
    await committer.disconnect().catch((e: unknown) => errors.push(e));
    for (const error of errors) logger.warn({ err: error }, 'error while closing');
    logger.info({ state: lifecycle.state }, 'scorer closed');
  }
}
