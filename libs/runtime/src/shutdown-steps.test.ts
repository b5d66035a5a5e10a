import { describe, expect, it } from 'vitest';
import { runShutdownSteps } from './shutdown-steps.ts';

describe('runShutdownSteps', () => {
  it('runs every step in order, logging a failing one and going on', async () => {
    const ran: string[] = [];
    const warnings: unknown[] = [];
    await runShutdownSteps(
      [
        ['a', () => Promise.resolve(ran.push('a'))],
        ['b', () => Promise.reject(new Error('boom'))],
        ['c', () => Promise.resolve(ran.push('c'))],
      ],
      { warn: (fields) => warnings.push(fields) },
    );
    expect(ran).toEqual(['a', 'c']);
    expect(warnings).toEqual([{ err: new Error('boom'), step: 'b' }]);
  });
});
