/**
 * A stack the chaos suite owns: `infra/local/stack.sh` with its own state directory and free
 * ports, so killing its broker, registry or Redis never disturbs anyone else's. Faults kill a
 * server by the PID its start wrote; `restart()` is what an operator does (`make up`).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@fraud/test-support';
import type { Endpoints } from './run-topics.ts';

const run = promisify(execFile);

export type StackService = 'kafka' | 'registry' | 'redis';

export class PrivateStack {
  private constructor(
    private readonly repoRoot: string,
    readonly stateDir: string,
    private readonly ports: { kafka: number; controller: number; registry: number; redis: number },
  ) {}

  /** Picks free ports and starts Kafka, the registry and Redis in `stateDir`. */
  static async start(repoRoot: string, stateDir: string): Promise<PrivateStack> {
    mkdirSync(stateDir, { recursive: true });
    const stack = new PrivateStack(repoRoot, stateDir, {
      kafka: await freePort(),
      controller: await freePort(),
      registry: await freePort(),
      redis: await freePort(),
    });
    await stack.script('up');
    return stack;
  }

  get endpoints(): Endpoints {
    return {
      kafkaBrokers: [`127.0.0.1:${this.ports.kafka}`],
      registryUrl: `http://127.0.0.1:${this.ports.registry}/apis/ccompat/v7`,
      redisUrl: `redis://127.0.0.1:${this.ports.redis}`,
    };
  }

  /** kill -9 of one server; resolves once the process is gone. */
  async kill(service: StackService): Promise<void> {
    const pid = Number(readFileSync(path.join(this.stateDir, 'pids', `${service}.pid`), 'utf8'));
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** `stack.sh up`: starts whatever is not running (after a kill), waits until healthy. */
  restart(): Promise<void> {
    return this.script('up');
  }

  stop(): Promise<void> {
    return this.script('down');
  }

  private async script(command: 'up' | 'down'): Promise<void> {
    // Without the stack variables: set, they would mean "use that server, start nothing".
    const { KAFKA_BROKERS: _k, SCHEMA_REGISTRY_URL: _s, REDIS_URL: _r, ...env } = process.env;
    try {
      await run('bash', [path.join(this.repoRoot, 'infra/local/stack.sh'), command], {
        env: {
          ...env,
          FRAUD_STATE_DIR: this.stateDir,
          FRAUD_KAFKA_PORT: String(this.ports.kafka),
          FRAUD_KAFKA_CONTROLLER_PORT: String(this.ports.controller),
          FRAUD_REGISTRY_PORT: String(this.ports.registry),
          FRAUD_REDIS_PORT: String(this.ports.redis),
        },
        timeout: 240_000,
      });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`stack.sh ${command} (state ${this.stateDir}) failed:\n${stderr.slice(-3000)}`, {
        cause: error,
      });
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
