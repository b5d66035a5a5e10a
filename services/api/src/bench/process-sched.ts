/**
 * Scheduler accounting of a process's threads from Linux /proc, so the benchmark can tell a pause
 * the API spent working (CPU time) from one it spent runnable but waiting for a core (run-queue
 * wait, `schedstat`) or switched out against its will (involuntary context switches). On a 2-core
 * box shared with the load generator and Redis, a "GC pause" of 30 ms may be 3 ms of GC and 27 ms of
 * waiting. Off Linux (or for a process that ended) every reading is undefined.
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface SchedSample {
  /** The main (JavaScript) thread: CPU and run-queue wait, ms; involuntary switches. */
  main: { cpuMs: number; waitMs: number; involuntarySwitches: number };
  /** Every thread of the process (V8's GC helpers, libuv, onnxruntime): CPU and wait, ms. */
  all: { cpuMs: number; waitMs: number };
}

/** `/proc/<pid>/task/<tid>/schedstat`: ns on CPU, ns waiting on a run queue, time slices. */
function readSchedstat(pid: number, tid: number): { cpuMs: number; waitMs: number } {
  const [cpuNs, waitNs] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(' ');
  return { cpuMs: Number(cpuNs) / 1e6, waitMs: Number(waitNs) / 1e6 };
}

function readInvoluntarySwitches(pid: number): number {
  const status = readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8');
  return Number(/^nonvoluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1] ?? NaN);
}

/** The scheduler counters of `pid` now (cumulative since it started). */
export function sampleSched(pid: number): SchedSample | undefined {
  try {
    const main = { ...readSchedstat(pid, pid), involuntarySwitches: readInvoluntarySwitches(pid) };
    const all = { cpuMs: 0, waitMs: 0 };
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const thread = readSchedstat(pid, Number(tid));
        all.cpuMs += thread.cpuMs;
        all.waitMs += thread.waitMs;
      } catch {
        // the thread ended while we looked
      }
    }
    return { main, all };
  } catch {
    return undefined;
  }
}

/** What happened between two samples (threads that ended in between are not counted). */
export function schedDelta(before: SchedSample | undefined, after: SchedSample | undefined) {
  if (!before || !after) return undefined;
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    mainCpuMs: round(after.main.cpuMs - before.main.cpuMs),
    mainRunQueueWaitMs: round(after.main.waitMs - before.main.waitMs),
    mainInvoluntarySwitches: after.main.involuntarySwitches - before.main.involuntarySwitches,
    allThreadsCpuMs: round(after.all.cpuMs - before.all.cpuMs),
    allThreadsRunQueueWaitMs: round(after.all.waitMs - before.all.waitMs),
  };
}
