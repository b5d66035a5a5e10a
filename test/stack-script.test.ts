import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// The local stack script's failure paths: each must end with a one-line cause naming the problem
// and a non-zero exit, never a hang. State and cache go to temporary directories so the real stack
// (if running) is untouched.
const script = path.resolve(import.meta.dirname, '../infra/local/stack.sh');
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'stack-test-'));
  dirs.push(dir);
  return dir;
}

function runUp(env: Record<string, string>) {
  // Without the stack variables, whatever the surrounding process exported: each case sets
  // exactly the ones it wants (a set variable means "use that server, start nothing").
  const { KAFKA_BROKERS: _k, SCHEMA_REGISTRY_URL: _s, REDIS_URL: _r, ...inherited } = process.env;
  const result = spawnSync('bash', [script, 'up'], {
    env: { ...inherited, FRAUD_STATE_DIR: tempDir(), FRAUD_HEALTH_TIMEOUT_S: '20', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const failedLine = result.stderr.split('\n').find((line) => line.startsWith('stack: FAILED: ')) ?? '';
  return { status: result.status, failedLine, stderr: result.stderr };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('infra/local/stack.sh up', () => {
  it('names a missing Java', () => {
    const result = runUp({
      REDIS_URL: 'redis://127.0.0.1:1', // user-provided: Redis is not started
      FRAUD_JAVA: '/nonexistent/java',
      FRAUD_KAFKA_PORT: '1',
    });
    expect(result.status).toBe(1);
    expect(result.failedLine).toMatch(/\/nonexistent\/java not found on PATH: install a Java 17\+ runtime/);
  });

  it('names a port that another process holds', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const result = runUp({ FRAUD_REDIS_PORT: String(port) });
      expect(result.status).toBe(1);
      expect(result.failedLine).toBe(
        `stack: FAILED: port ${port} (for redis) is already in use by a process this stack did not start; free it or set FRAUD_REDIS_PORT`,
      );
    } finally {
      server.close();
    }
  });

  it('names a failed download and shows the log tail', () => {
    const emptyRepo = tempDir();
    const result = runUp({
      REDIS_URL: 'redis://127.0.0.1:1',
      FRAUD_CACHE_DIR: tempDir(),
      // Offline against an empty local repository: Maven really fails to fetch the jars.
      FRAUD_MAVEN_ARGS: `-o -Dmaven.repo.local=${emptyRepo}`,
      FRAUD_KAFKA_PORT: '1',
      FRAUD_KAFKA_CONTROLLER_PORT: '2',
    });
    expect(result.status).toBe(1);
    expect(result.failedLine).toBe(
      'stack: FAILED: download failed: org.apache.kafka:kafka_2.13:3.9.1 from Maven Central',
    );
    expect(result.stderr).toContain('--- last lines of');
  });
});
