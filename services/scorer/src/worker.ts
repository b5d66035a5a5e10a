import { DecisionValues, RegistryUnavailableError } from '@fraud/contracts';
import { FeatureStoreUnavailableError } from '@fraud/features';
import { PartitionFencedError, classifyKafkaError } from '@fraud/kafka';
import { ExponentialBackoff, IllegalStateError, abortableSleep } from '@fraud/runtime';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { ProcessedChunk } from './batch-processor.ts';
import { CommitScheduler, type FlushTrigger, type PendingGroup } from './commit-scheduler.ts';
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

/** A processed chunk waiting in its partition's pending group. */
interface PendingChunkItem {
  processed: ProcessedChunk;
  chunk: KafkaMessage[];
}

/**
 * The streaming worker: a consumer-group member that scores every transaction once and commits
 * its outputs together with the consumed offsets in one Kafka transaction per pending group
 * (adaptive group commit, see commit-scheduler.ts: one chunk per transaction when
 * commitIntervalMs is 0).
 *
 * It runs under the ServiceLifecycle of its options (`start` and `close` are that lifecycle's
 * hooks, through the app): an unrecoverable error calls `lifecycle.fail`, which shuts the whole
 * service down under the one shutdown deadline.
 */
export class ScorerWorker {
  private consumer: Consumer | undefined;
  private dependencyDown: string | undefined;
  /** A group commit failed and no commit succeeded since (not ready, like a dependency down). */
  private commitFailing = false;
  private joined = false;
  private waitingFor: string[] = [];
  /** Counts group joins: a partition is claimed (fencing its previous owner) once per assignment. */
  private generation = 0;
  private closing: Promise<void> | undefined;
  /** Set by close(): in-flight batches stop at the next chunk so their groups can be flushed. */
  private stopping = false;
  /** consumer.run was called (pause needs a running consumer). */
  private consuming = false;
  /** Processed chunks waiting for their group's commit, per partition. */
  private readonly scheduler: CommitScheduler<PendingChunkItem>;
  /**
   * Partitions whose pending group was lost (its commit failed): the offset we sought back to.
   * Until a batch fetched from there arrives, batches of the partition are dropped (they were
   * fetched before the seek and lie beyond the lost group).
   */
  private readonly rewinds = new Map<number, bigint>();
  /** Per partition: backoff after failed commits, and the time before which it must not retry. */
  private readonly commitBackoff = new Map<number, { backoff: ExponentialBackoff; retryAtMs: number }>();

  private readonly options: CompiledScorerWorkerOptions;

  constructor(options: ScorerWorkerOptions) {
    this.options = compileScorerWorkerOptions(options);
    this.scheduler = new CommitScheduler<PendingChunkItem>({
      intervalMs: this.options.commitIntervalMs,
      maxRecords: this.options.commitMaxRecords,
      flush: (group, trigger) => this.commitGroup(group, trigger),
      onFlushError: (error, partition) =>
        // commitGroup only rejects on a fatal error, which it already reported to the lifecycle.
        this.options.logger.error({ err: error, partition }, 'pending group commit failed'),
    });
    // Scraped, not pushed: the gauge cannot disagree with the state it reports.
    this.options.metrics.deriveReadiness(() => this.isReady());
  }

  /** Ready = running, in the group (not before the join, not after a crash), and the last dependency call succeeded. */
  isReady(): boolean {
    return (
      this.options.lifecycle.state === 'RUNNING' &&
      this.joined &&
      this.dependencyDown === undefined &&
      !this.commitFailing
    );
  }

  readinessDetail(): Record<string, unknown> {
    return {
      state: this.options.lifecycle.state,
      joinedGroup: this.joined,
      dependencyDown: this.dependencyDown ?? (this.commitFailing ? 'kafka' : null),
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
      // Groups read under the old generation are never committed under a new claim: dropped
      // here, redelivered from the committed offset (the claim path rewinds if needed).
      const dropped = this.scheduler.discardAll();
      this.rewinds.clear();
      this.commitBackoff.clear();
      if (dropped > 0) logger.info({ records: dropped }, 'pending groups dropped on rebalance');
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
    this.consuming = true;
    logger.info({ groupId, topic: topics.transactions }, 'scorer started');
  }

  private handleBatch(payload: EachBatchPayload): Promise<void> {
    // A timer flush of this partition and its next batch never overlap (commit-scheduler.ts).
    return this.scheduler.exclusive(payload.batch.partition, () => this.processBatch(payload));
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { metrics, topics } = this.options;
    if (this.stopping || !payload.isRunning() || payload.isStale()) return;
    metrics.consumed.inc({ topic: batch.topic }, batch.messages.length);
    const generation = this.generation;
    if (!(await this.awaitCommitBackoff(payload))) return;
    if (!this.rewoundTo(batch)) return;
    const messages = await this.claimedMessages(payload, generation);
    if (messages === undefined) return;
    let completed = true;
    for (const chunk of chunksOf(messages, this.options.maxBatchSize)) {
      // Rebalanced or stopping: the rest is redelivered (to us or to the new owner).
      if (this.stopping || !payload.isRunning() || payload.isStale() || generation !== this.generation) {
        completed = false;
        break;
      }
      const processed = await this.withDependencyRetry(payload, () =>
        this.options.processor.process(batch.topic, batch.partition, chunk),
      );
      if (processed === undefined) {
        completed = false;
        break;
      }
      const last = chunk[chunk.length - 1]!.offset;
      this.scheduler.add(batch.partition, generation, BigInt(chunk[0]!.offset), {
        records: chunk.length,
        nextOffset: BigInt(last) + 1n,
        item: { processed, chunk },
      });
      // The next fetch continues after the chunk; the commit that makes it final may come later.
      payload.resolveOffset(last);
      await this.scheduler.flushIfDue(batch.partition);
      // The group's commit failed or was fenced: it rewinds, and the rest of this batch follows it.
      if (this.groupLost(batch.partition, generation)) return;
      await payload.heartbeat();
    }
    const lag = Number(batch.offsetLag());
    // Even a batch cut short leaves its scored chunks pending: they get their timer (a rebalance
    // discards them; a shutdown commits them).
    await this.scheduler.afterBatch(batch.partition, completed && lag === 0);
    metrics.consumerLag.set({ topic: topics.transactions, partition: String(batch.partition) }, lag);
  }

  /** True when the partition's last group commit failed (rewinding) or it was fenced (not ours). */
  private groupLost(partition: number, generation: number): boolean {
    const { committer, topics } = this.options;
    return this.rewinds.has(partition) || !committer.isClaimed(topics.transactions, partition, generation);
  }

  /**
   * After a failed commit the partition was sought back to its lost group's first offset. Only a
   * batch fetched from there may be processed; one fetched before the seek is dropped.
   */
  private rewoundTo(batch: EachBatchPayload['batch']): boolean {
    const rewind = this.rewinds.get(batch.partition);
    if (rewind === undefined) return true;
    const fetchedOffset = (batch as unknown as { fetchedOffset?: string }).fetchedOffset;
    const from = BigInt(fetchedOffset ?? batch.messages[0]?.offset ?? -1);
    if (from !== rewind) {
      this.options.logger.warn(
        { partition: batch.partition, fetchedFrom: from.toString(), rewindTo: rewind.toString() },
        'batch fetched before the rewind dropped',
      );
      return false;
    }
    this.rewinds.delete(batch.partition);
    return true;
  }

  /** Waits out the partition's backoff after a failed commit; false = stopping or stale. */
  private async awaitCommitBackoff(payload: EachBatchPayload): Promise<boolean> {
    const entry = this.commitBackoff.get(payload.batch.partition);
    const waitMs = entry ? entry.retryAtMs - Date.now() : 0;
    if (waitMs <= 0) return true;
    if (!(await abortableSleep(waitMs, this.options.lifecycle.signal))) return false;
    if (!payload.isRunning() || payload.isStale()) return false;
    await payload.heartbeat();
    return true;
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

  /**
   * Commits a pending group: decisions, alerts, dead letters and the offset after its last chunk
   * in ONE transaction of the partition's producer, under the claim of the generation the group
   * was read under. A transient failure loses the group: the partition seeks back to its first
   * offset and reprocesses it (Redis feature updates are idempotent per transaction id, so the
   * decisions come out the same) after a backoff. Fenced: the group is dropped and the partition
   * also seeks back (ignored if another member owns it now; if it is still ours, the next batch
   * claims it again). Anything else is fatal.
   */
  private async commitGroup(group: PendingGroup<PendingChunkItem>, trigger: FlushTrigger): Promise<void> {
    const { committer, topics, metrics, logger, lifecycle } = this.options;
    const { partition } = group;
    const started = performance.now();
    const outputs = (pick: (p: ProcessedChunk) => ProcessedChunk['decisions']) =>
      group.chunks.flatMap((c) => pick(c.processed));
    try {
      await committer.commit(
        {
          topicMessages: [
            { topic: topics.decisions, messages: outputs((p) => p.decisions) },
            { topic: topics.alerts, messages: outputs((p) => p.alerts) },
            { topic: topics.dlq, messages: outputs((p) => p.deadLetters) },
          ],
          offset: { topic: topics.transactions, partition, offset: group.nextOffset.toString() },
        },
        group.generation,
      );
    } catch (error) {
      if (error instanceof PartitionFencedError) {
        // Another producer took the partition's transactional id: usually a new owner after a
        // rebalance, but also the coordinator aborting a transaction on timeout, when the
        // partition is still ours. Nothing of the group is visible. Seek back anyway: the
        // next batch claims the partition again and reads the committed offset (a seek of a
        // partition no longer assigned is ignored). Without it, a partition that stays ours
        // would only redo the group when new input arrives.
        logger.warn(
          { partition, records: group.records },
          'partition fenced by a newer owner; pending group dropped',
        );
        this.seekToGroupStart(group);
        return;
      }
      if (classifyKafkaError(error) !== 'transient') {
        lifecycle.fail(error);
        throw error;
      }
      this.rewind(group, error);
      return;
    }
    const ageMs = performance.now() - group.startedAtMs;
    metrics.stageDuration.observe({ stage: 'produce' }, (performance.now() - started) / 1000);
    metrics.commitRecords.observe(group.records);
    metrics.commitGroupAge.observe(ageMs / 1000);
    metrics.commits.inc({ trigger });
    this.commitBackoff.get(partition)?.backoff.reset();
    this.commitBackoff.delete(partition);
    if (this.commitFailing) {
      logger.info({ dependency: 'kafka' }, 'dependency recovered');
      this.commitFailing = false;
    }
    // The decisions are visible from now on: that is when their latency ends.
    const doneAt = Date.now();
    for (const { processed, chunk } of group.chunks) this.record(processed, chunk, doneAt);
  }

  /** A group's commit failed transiently: seek back to its first offset and back off before retrying. */
  private rewind(group: PendingGroup<PendingChunkItem>, error: unknown): void {
    const { metrics, logger, retryInitialBackoffMs, retryMaxBackoffMs } = this.options;
    const { partition } = group;
    metrics.dependencyRetries.inc({ dependency: 'kafka' });
    // Scoring may succeed meanwhile; readiness waits for a commit that does.
    this.commitFailing = true;
    let entry = this.commitBackoff.get(partition);
    if (!entry) {
      const backoff = new ExponentialBackoff({ initialMs: retryInitialBackoffMs, maxMs: retryMaxBackoffMs });
      entry = { backoff, retryAtMs: 0 };
      this.commitBackoff.set(partition, entry);
    }
    const backoffMs = entry.backoff.next();
    entry.retryAtMs = Date.now() + backoffMs;
    logger.warn(
      { err: error, partition, records: group.records, rewindTo: group.firstOffset.toString(), backoffMs },
      'group commit failed; rewinding to the committed offset',
    );
    this.seekToGroupStart(group);
  }

  /**
   * Sends the partition's fetch position back to a lost group's first offset (its committed
   * offset); until a batch fetched from there arrives, batches fetched before are dropped.
   */
  private seekToGroupStart(group: PendingGroup<PendingChunkItem>): void {
    // After a rebalance the claim path reads the committed offset and rewinds by itself; a seek
    // now could move a partition that is being reassigned.
    if (group.generation !== this.generation) return;
    const { topics } = this.options;
    this.rewinds.set(group.partition, group.firstOffset);
    this.consumer?.seek({
      topic: topics.transactions,
      partition: group.partition,
      offset: group.firstOffset.toString(),
    });
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

  /** Chunk metrics, once its group committed: counters per chunk and decision, latency per transaction. */
  private record(processed: ProcessedChunk, chunk: KafkaMessage[], doneAt: number): void {
    const { metrics, logger } = this.options;
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
   * Graceful stop: stop fetching, let in-flight batches reach a chunk boundary, commit every
   * pending group, then leave the group and close the producers. A second call returns the same
   * promise. Every step runs even if one fails; the caller's shutdown deadline bounds them all.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const { logger, committer, lifecycle, topics } = this.options;
    const errors: unknown[] = [];
    this.stopping = true;
    // Pausing stops new fetches while we still own the partitions, so the pending groups are
    // committed before the group is left (otherwise their new owners would redo them).
    if (this.consumer && this.consuming) {
      try {
        this.consumer.pause([{ topic: topics.transactions }]);
      } catch (error) {
        errors.push(error);
      }
    }
    await this.scheduler.flushAll().catch((e: unknown) => errors.push(e));
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
