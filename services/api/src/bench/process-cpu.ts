/**
 * CPU time of other processes on this machine, from Linux /proc, so the benchmark can show who
 * used the two cores during a run: the API, Redis, the load generator itself, and everything else.
 * Off Linux every reading is undefined and the report says so instead of failing.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** USER_HZ: /proc reports CPU time in clock ticks, 100 per second on every Linux Node runs on. */
const CLOCK_TICKS_PER_S = 100;

/** Seconds of CPU (user + system) a process has used, or undefined when it is gone or not Linux. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may hold spaces; the fields after its closing parenthesis are space-separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after comm.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return undefined;
  }
}

/** Busy and total CPU seconds of the whole machine (all cores), from the first line of /proc/stat. */
export function machineCpuSeconds(): { busyS: number; totalS: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    // idle and iowait are the 4th and 5th numbers.
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return { busyS: (total - idle) / CLOCK_TICKS_PER_S, totalS: total / CLOCK_TICKS_PER_S };
  } catch {
    return undefined;
  }
}

/** The pid of the redis-server listening on `port` (by its command line), if this user can see it. */
export function findRedisPid(port: number): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
        if (cmdline.startsWith('redis-server') && cmdline.includes(`:${port}`)) return Number(entry);
      } catch {
        // the process ended while we looked
      }
    }
  } catch {
    // not Linux
  }
  return undefined;
}
