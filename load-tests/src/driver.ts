/**
 * The paced producer: an open-model arrival-rate driver. Every iteration it sends, in ONE produce
 * request, all pre-encoded transactions that are due by now (at most `maxBatch`), so a slow round
 * trip makes the next request bigger instead of lowering the offered rate. Bounded by count (the
 * workload) and by time (the profile's duration plus `overrunS`; whatever is not sent by then is
 * reported as not sent).
 */
import { retryThroughOutage } from '@fraud/kafka';
import type { Producer } from 'kafkajs';
import { dueBy, profileDurationS, type RateProfile } from './scenarios.ts';
import type { PhaseTrack } from './tracker.ts';
import type { Workload } from './workload.ts';

export interface DriveOptions {
  topic: string;
  /** Largest produce request, in messages. @default 4000 */
  maxBatch?: number;
  /** Extra seconds after the profile's end before the driver gives up sending. @default 10 */
  overrunS?: number;
  /** Idle wait between checks when nothing is due, ms. @default 2 */
  tickMs?: number;
}

export interface DriveResult {
  /** Wall clock at the first send and after the last acknowledgement. */
  startMs: number;
  endMs: number;
  acked: number;
  notSent: number;
  sendErrors: number;
  requests: number;
  /** How late each request went out relative to its oldest transaction's planned time, ms. */
  lagMs: number[];
  firstError?: string | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function drive(
  producer: Producer,
  workload: Workload,
  profile: RateProfile,
  track: PhaseTrack,
  options: DriveOptions,
): Promise<DriveResult> {
  const maxBatch = options.maxBatch ?? 4000;
  const tickMs = options.tickMs ?? 2;
  const hardStopS = profileDurationS(profile) + (options.overrunS ?? 10);
  const { count, keys, values, offsetMs } = workload;
  const lagMs: number[] = [];
  let next = 0;
  let sendErrors = 0;
  let requests = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const startMs = Date.now();
  while (next < count) {
    const elapsedS = (performance.now() - t0) / 1000;
    if (elapsedS > hardStopS) break;
    const due = Math.min(count, dueBy(profile, elapsedS));
    if (due <= next) {
      await sleep(tickMs);
      continue;
    }
    const end = Math.min(due, next + maxBatch);
    const now = Date.now();
    const timestamp = String(now);
    const messages = new Array<{ key: Buffer; value: Buffer; timestamp: string }>(end - next);
    for (let i = next; i < end; i++) {
      messages[i - next] = { key: keys[i]!, value: values[i]!, timestamp };
      track.sentAtMs[i] = now;
    }
    lagMs.push(now - startMs - offsetMs[next]!);
    const first = next;
    next = end;
    requests++;
    try {
      // One request in flight (idempotent producer): the next iteration sends what fell due meanwhile.
      // Rides out a broker restart (bounded); the idempotent producer resends without duplicates.
      await retryThroughOutage(`produce to ${options.topic}`, () =>
        producer.send({ topic: options.topic, acks: -1, messages }),
      );
      track.acked += end - first;
    } catch (error) {
      sendErrors += end - first;
      for (let i = first; i < end; i++) track.sentAtMs[i] = NaN;
      firstError ??= String(error);
    }
  }
  return {
    startMs,
    endMs: Date.now(),
    acked: track.acked,
    notSent: count - next,
    sendErrors,
    requests,
    lagMs,
    firstError,
  };
}
