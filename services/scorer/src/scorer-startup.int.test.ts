import { afterEach, describe, expect, it } from 'vitest';
import { uniqueName } from '@fraud/test-support';
import { scorerTestContext, spawnScorer, waitForLog, type ScorerProcess } from './testing/harness.ts';

const started: ScorerProcess[] = [];
afterEach(async () => {
  for (const scorer of started.splice(0)) {
    if (scorer.child.exitCode === null && scorer.child.signalCode === null) scorer.kill('SIGKILL');
    await scorer.exited;
  }
});

function logLines(scorer: ScorerProcess): { msg: string; [k: string]: unknown }[] {
  return scorer.output
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string });
}

/** A scorer whose input topic does not exist, waiting at most `startupTimeoutMs` for it. */
async function scorerMissingItsTopic(name: string, startupTimeoutMs: number) {
  const ctx = await scorerTestContext(name, 1);
  const missingTopic = uniqueName('no-such-topic');
  const scorer = spawnScorer(ctx, 'w1', {
    TOPIC_TRANSACTIONS: missingTopic,
    SCORER_STARTUP_TIMEOUT_MS: String(startupTimeoutMs),
  });
  started.push(scorer);
  return { scorer, missingTopic };
}

describe('scorer start-up', () => {
  it('names a missing input topic and subject once each, with the fix, and exits 1 after the bounded wait', async () => {
    const { scorer, missingTopic } = await scorerMissingItsTopic('scorer-startup', 5_000);
    const startedAt = Date.now();
    expect(await scorer.exited).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(60_000);

    const lines = logLines(scorer);
    const topicLines = lines.filter((l) => l.msg === 'required topic missing');
    expect(topicLines).toHaveLength(1); // once, not once per poll
    expect(topicLines[0]?.topic).toBe(missingTopic);
    expect(String(topicLines[0]?.fix)).toContain('SCORER_CREATE_TOPICS=true');
    const subjectLines = lines.filter((l) => l.msg === 'registry subject missing');
    expect(subjectLines).toHaveLength(1);
    expect(subjectLines[0]).toMatchObject({ subject: `${missingTopic}-value` });
    const fatal = lines.find((l) => l.msg === 'scorer could not start');
    expect(JSON.stringify(fatal)).toContain(
      `still missing after 5 s: topic ${missingTopic}, registry subject ${missingTopic}-value`,
    );
    // It never joined the group, so it was never ready.
    expect(lines.some((l) => l.msg === 'joined consumer group')).toBe(false);
  });

  it('a SIGTERM during start-up ends the wait at once, closes what was built and exits 143 (never served), not 0', async () => {
    const { scorer } = await scorerMissingItsTopic('scorer-startup-signal', 120_000);
    await waitForLog(scorer, 'required topic missing');
    const signalledAt = Date.now();
    scorer.kill('SIGTERM');
    expect(await scorer.exited).toBe(143);
    // Far inside the 120 s start-up wait and the 20 s shutdown deadline: the wait was aborted.
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    const lines = logLines(scorer);
    expect(lines.find((l) => l.msg === 'scorer stopped before it finished starting')).toMatchObject({
      reason: 'SIGTERM',
      exitCode: 143,
    });
    expect(lines.some((l) => l.msg === 'scorer closed')).toBe(true);
    expect(lines.some((l) => l.msg === 'scorer could not start')).toBe(false);
  });
});
