import { describe, expect, it } from 'vitest';
import { ExponentialBackoff, abortableSleep } from './backoff.ts';

describe('ExponentialBackoff', () => {
  it('doubles from the initial wait up to the cap, and reset starts over', () => {
    const backoff = new ExponentialBackoff({ initialMs: 100, maxMs: 500 });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([
      100, 200, 400, 500, 500,
    ]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('refuses a cap below the initial wait', () => {
    expect(() => new ExponentialBackoff({ initialMs: 100, maxMs: 10 })).toThrow(RangeError);
  });
});

describe('abortableSleep', () => {
  it('returns true after the full wait', async () => {
    expect(await abortableSleep(1)).toBe(true);
  });

  it('returns false at once when aborted mid-wait', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const sleeping = abortableSleep(60_000, controller.signal);
    setTimeout(() => controller.abort('SIGTERM'), 5);
    expect(await sleeping).toBe(false);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('does not wait at all on an already aborted signal', async () => {
    expect(await abortableSleep(60_000, AbortSignal.abort())).toBe(false);
  });
});
