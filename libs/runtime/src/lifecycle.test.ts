import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IllegalStateError, ShutdownDeadlineExceeded, StartInterruptedError } from './errors.ts';
import { ServiceLifecycle, type LifecycleHooks } from './lifecycle.ts';

const lifecycle = (shutdownDeadlineMs = 1_000) => new ServiceLifecycle({ name: 'svc', shutdownDeadlineMs });

/** Hooks that record what ran; `start` resolves at once unless given. */
function hooks(
  start: LifecycleHooks['start'] = () => Promise.resolve(),
  close: () => Promise<void> = () => Promise.resolve(),
) {
  const calls: string[] = [];
  return {
    calls,
    start: vi.fn(async (signal: AbortSignal) => {
      calls.push('start');
      await start(signal);
    }),
    close: vi.fn(async () => {
      calls.push('close');
      await close();
    }),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ServiceLifecycle', () => {
  it('runs until stopped, closes once, resolves, and ends STOPPED', async () => {
    const l = lifecycle();
    const h = hooks();
    const run = l.run(h);
    await settle();
    expect(l.state).toBe('RUNNING');
    expect(l.signal.aborted).toBe(false);
    l.stop('SIGTERM');
    l.stop('SIGINT'); // idempotent
    await expect(run).resolves.toBeUndefined();
    expect(h.calls).toEqual(['start', 'close']);
    expect(l.state).toBe('STOPPED');
    expect(l.wasRunning).toBe(true);
    expect(l.signal.reason).toBe('SIGTERM');
  });

  it('rejects with the fatal error reported while running, after closing', async () => {
    const l = lifecycle();
    const h = hooks();
    const run = l.run(h);
    await settle();
    const crash = new Error('consumer crashed');
    l.fail(crash);
    l.fail(new Error('later')); // the first fatal error wins
    await expect(run).rejects.toBe(crash);
    expect(h.close).toHaveBeenCalledTimes(1);
    expect(l.state).toBe('FAILED');
    expect(l.signal.aborted).toBe(true);
  });

  it('rejects with the start error and still closes what start built', async () => {
    const l = lifecycle();
    const refused = new Error('topic missing');
    const h = hooks(() => Promise.reject(refused));
    await expect(l.run(h)).rejects.toBe(refused);
    expect(h.calls).toEqual(['start', 'close']);
    expect(l.state).toBe('FAILED');
    expect(l.wasRunning).toBe(false);
  });

  it('a stop during start-up aborts the start signal and rejects with StartInterruptedError', async () => {
    const l = lifecycle();
    const h = hooks(
      (signal) =>
        new Promise<void>((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('preflight aborted')));
        }),
    );
    const run = l.run(h);
    await settle();
    expect(l.state).toBe('STARTING');
    l.stop('SIGTERM');
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartInterruptedError);
    expect((error as StartInterruptedError).reason).toBe('SIGTERM');
    expect(h.close).toHaveBeenCalledTimes(1);
    expect(l.state).toBe('STOPPED');
    expect(l.wasRunning).toBe(false);
  });

  it('a start that completes after a stop request never counts as running', async () => {
    const l = lifecycle();
    let finishStart!: () => void;
    const h = hooks(() => new Promise<void>((resolve) => (finishStart = resolve)));
    const run = l.run(h);
    await settle();
    l.stop('SIGINT');
    finishStart();
    await expect(run).rejects.toBeInstanceOf(StartInterruptedError);
    expect(l.wasRunning).toBe(false);
  });

  describe('the one shutdown deadline', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());
    const hangs = () => new Promise<void>(() => undefined);

    it('covers the signal path: a close that hangs rejects with ShutdownDeadlineExceeded', async () => {
      const l = lifecycle(5_000);
      const outcome = l.run(hooks(undefined, hangs)).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(0);
      l.stop('SIGTERM');
      await vi.advanceTimersByTimeAsync(4_999);
      expect(l.state).toBe('STOPPING');
      await vi.advanceTimersByTimeAsync(1);
      const error = await outcome;
      expect(error).toBeInstanceOf(ShutdownDeadlineExceeded);
      expect((error as ShutdownDeadlineExceeded).deadlineMs).toBe(5_000);
      expect(l.state).toBe('FAILED');
    });

    it('covers the failure path and is not restarted by a later stop', async () => {
      const l = lifecycle(5_000);
      const outcome = l.run(hooks(undefined, hangs)).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(0);
      l.fail(new Error('fatal'));
      await vi.advanceTimersByTimeAsync(3_000);
      l.stop('SIGTERM');
      await vi.advanceTimersByTimeAsync(2_000);
      expect(await outcome).toBeInstanceOf(ShutdownDeadlineExceeded);
    });

    it('cuts off a start that ignores the abort', async () => {
      const l = lifecycle(1_000);
      const outcome = l.run(hooks(hangs)).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(0);
      l.stop('SIGTERM');
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await outcome).toBeInstanceOf(ShutdownDeadlineExceeded);
    });
  });

  it('runs once: a second run() is an IllegalStateError', async () => {
    const l = lifecycle();
    const run = l.run(hooks());
    await expect(l.run(hooks())).rejects.toBeInstanceOf(IllegalStateError);
    l.stop();
    await run;
    await expect(l.run(hooks())).rejects.toThrow(/svc run\(\) is not allowed in state STOPPED/);
  });

  it('a stop before run() starts and closes without serving', async () => {
    const l = lifecycle();
    l.stop('SIGTERM');
    const h = hooks();
    await expect(l.run(h)).rejects.toBeInstanceOf(StartInterruptedError);
    expect(h.start.mock.calls[0]?.[0].aborted).toBe(true);
  });

  it('refuses a non-positive deadline', () => {
    expect(() => lifecycle(0)).toThrow(RangeError);
  });
});
