import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { ServiceLifecycle } from './lifecycle.ts';
import { StartInterruptedError } from './errors.ts';
import { exitCodeFor, runMain, type MainProcess } from './run-main.ts';

/** A process stand-in: signals are emitted by the test, exit codes recorded. */
class FakeProcess extends EventEmitter implements MainProcess {
  readonly exits: number[] = [];
  exit(code: number): void {
    this.exits.push(code);
  }
}

function logger() {
  const lines: { level: string; message: string; fields: object }[] = [];
  const at = (level: string) => (fields: object, message: string) => lines.push({ level, message, fields });
  return { lines, info: at('info'), warn: at('warn'), fatal: at('fatal') };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('runMain', () => {
  it('SIGTERM while running: clean stop, exit 0, handlers removed', async () => {
    const proc = new FakeProcess();
    const log = logger();
    const lifecycle = new ServiceLifecycle({ name: 'svc', shutdownDeadlineMs: 1_000 });
    const close = vi.fn(() => Promise.resolve());
    const done = runMain(
      lifecycle,
      { start: () => Promise.resolve(), close },
      { logger: log, process: proc },
    );
    await settle();
    proc.emit('SIGTERM', 'SIGTERM');
    expect(await done).toBe(0);
    expect(proc.exits).toEqual([0]);
    expect(close).toHaveBeenCalledTimes(1);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    expect(log.lines.map((l) => l.message)).toEqual(['shutting down', 'svc stopped']);
  });

  it('SIGINT during start-up exits 130, not 0', async () => {
    const proc = new FakeProcess();
    const lifecycle = new ServiceLifecycle({ name: 'svc', shutdownDeadlineMs: 1_000 });
    const start = (signal: AbortSignal) =>
      new Promise<void>((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    const done = runMain(
      lifecycle,
      { start, close: () => Promise.resolve() },
      { logger: logger(), process: proc },
    );
    await settle();
    proc.emit('SIGINT', 'SIGINT');
    expect(await done).toBe(130);
  });

  it('a failed start logs "<name> could not start" and exits 1', async () => {
    const proc = new FakeProcess();
    const log = logger();
    const lifecycle = new ServiceLifecycle({ name: 'svc', shutdownDeadlineMs: 1_000 });
    const start = () => Promise.reject(new Error('still missing after 5 s: topic t'));
    expect(
      await runMain(lifecycle, { start, close: () => Promise.resolve() }, { logger: log, process: proc }),
    ).toBe(1);
    expect(log.lines.at(-1)).toMatchObject({ level: 'fatal', message: 'svc could not start' });
  });

  it('a fatal error while running logs "<name> failed" and exits 1', async () => {
    const proc = new FakeProcess();
    const log = logger();
    const lifecycle = new ServiceLifecycle({ name: 'svc', shutdownDeadlineMs: 1_000 });
    const done = runMain(
      lifecycle,
      { start: () => Promise.resolve(), close: () => Promise.resolve() },
      {
        logger: log,
        process: proc,
      },
    );
    await settle();
    lifecycle.fail(new Error('consumer crashed for good'));
    expect(await done).toBe(1);
    expect(log.lines.at(-1)).toMatchObject({ level: 'fatal', message: 'svc failed' });
  });

  it('a second signal exits 1 at once', async () => {
    const proc = new FakeProcess();
    const lifecycle = new ServiceLifecycle({ name: 'svc', shutdownDeadlineMs: 1_000 });
    let finishClose!: () => void;
    const close = () => new Promise<void>((resolve) => (finishClose = resolve));
    const done = runMain(
      lifecycle,
      { start: () => Promise.resolve(), close },
      { logger: logger(), process: proc },
    );
    await settle();
    proc.emit('SIGTERM', 'SIGTERM');
    proc.emit('SIGTERM', 'SIGTERM');
    expect(proc.exits).toEqual([1]);
    await settle();
    finishClose();
    await done;
  });
});

describe('exitCodeFor', () => {
  it('maps an interrupted start to 128 + the signal number and everything else to 1', () => {
    expect(exitCodeFor(new StartInterruptedError('svc', 'SIGTERM'))).toBe(143);
    expect(exitCodeFor(new StartInterruptedError('svc', 'SIGINT'))).toBe(130);
    expect(exitCodeFor(new StartInterruptedError('svc', 'stop requested'))).toBe(1);
    expect(exitCodeFor(new Error('boom'))).toBe(1);
  });
});
