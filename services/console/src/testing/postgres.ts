/**
 * A throwaway PostgreSQL server for tests and benchmarks: Debian's `postgresql` binaries, a temp
 * data directory, a free loopback port, fsync off. initdb refuses to run as root, so as root the
 * server runs as the `postgres` user (runuser).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@fraud/test-support';

const run = promisify(execFile);

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const dir = versions.map((v) => path.join(root, v, 'bin')).find((d) => existsSync(path.join(d, 'initdb')));
  if (!dir)
    throw new Error(
      'PostgreSQL binaries not found under /usr/lib/postgresql: apt-get install postgresql (scripts/bootstrap.sh does)',
    );
  return dir;
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const base = await mkdtemp(path.join(tmpdir(), 'console-pg-'));
  const dataDir = path.join(base, 'data');
  const password = 'console-test';
  const pwFile = path.join(base, 'pw');
  await writeFile(pwFile, password);
  const port = await freePort();
  const wrap = (cmd: string, args: string[]): [string, string[]] =>
    asRoot
      ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]]
      : [path.join(bin, cmd), args];
  if (asRoot) {
    await chmod(base, 0o755);
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(base, Number(stdout.trim()), Number(gid.trim()));
    await chown(pwFile, Number(stdout.trim()), Number(gid.trim()));
  }
  await run(
    ...wrap('initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      `--pwfile=${pwFile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
      '--no-sync',
    ]),
  );
  await run(
    ...wrap('pg_ctl', [
      '-D',
      dataDir,
      '-w',
      '-l',
      path.join(base, 'log'),
      '-o',
      `-p ${port} -k ${base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`,
      'start',
    ]),
  );
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await run(...wrap('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop'])).catch(() => undefined);
      await rm(base, { recursive: true, force: true });
    },
  };
}
