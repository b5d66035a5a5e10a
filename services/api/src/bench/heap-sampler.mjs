/**
 * A preload for the API process under the benchmark: `--node-flags="--import <this file>"`.
 * V8's sampling heap profiler with the objects that minor and major GCs collected included, so the
 * profile shows what the request path ALLOCATES (the churn that drives scavenges), not only what is
 * still alive at the end (what `node --heap-prof` shows). Written on SIGTERM to
 * $HEAP_SAMPLER_OUT (default api-<pid>.heapprofile in the working directory); open it in Chrome
 * DevTools (Memory tab) or sum it with `jq`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

const session = new Session();
session.connect();
// HEAP_SAMPLER_MODE=survivors drops the samples scavenges collected: what is left survived a
// scavenge (copied, then promoted to old space: what makes scavenges and mark-compacts slow).
const survivors = process.env.HEAP_SAMPLER_MODE === 'survivors';
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 8192,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: !survivors,
});
const out = process.env.HEAP_SAMPLER_OUT ?? `api-${process.pid}.heapprofile`;
process.prependOnceListener('SIGTERM', () => {
  // Synchronous on purpose: the API's own SIGTERM handler exits once it has drained.
  session
    .post('HeapProfiler.stopSampling')
    .then(({ profile }) => writeFileSync(out, JSON.stringify(profile)));
});
