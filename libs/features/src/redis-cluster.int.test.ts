import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitForRedis } from '@fraud/test-support';
import { featureRow } from './matrix.ts';
import { MemoryFeatureStore } from './memory-store.ts';
import { RedisFeatureStore } from './redis-store.ts';
import { firstDifference, randomBatches } from './testing/helpers.ts';
import { generateTransactions, prng } from './testing/generate-transactions.ts';

// Principle 5 of the design, proven on a real 3-master Redis Cluster (our own servers, on free
// loopback ports, stopped by PID): every script call stays in one hash slot, the store splits a
// batch into one pipeline per node, and the features equal the in-memory store's.
describe('RedisFeatureStore on a real Redis Cluster', () => {
  const servers: ChildProcess[] = [];
  const ports: number[] = [];
  let dir: string;
  let cluster: Cluster;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'redis-cluster-'));
    for (let i = 0; i < 3; i++) ports.push(await freePort());
    for (const port of ports) {
      const server = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          path.join(dir, `nodes-${port}.conf`),
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { stdio: 'ignore' },
      );
      servers.push(server);
      await waitForRedis(port);
    }
    const created = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(created.status, created.stdout + created.stderr).toBe(0);
    cluster = new Cluster(
      ports.map((port) => ({ host: '127.0.0.1', port })),
      { redisOptions: { maxRetriesPerRequest: 1 } },
    );
    // Wait until every node agrees all 16384 slots are served.
    for (let attempt = 0; attempt < 100; attempt++) {
      const info = await cluster.cluster('INFO');
      if (String(info).includes('cluster_state:ok')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 90_000);

  afterAll(async () => {
    cluster?.disconnect();
    for (const server of servers) {
      if (server.exitCode === null) {
        server.kill('SIGTERM');
        await once(server, 'exit');
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the in-memory features over 20k transactions, idempotently, with keys spread over every node', async () => {
    const { txs } = generateTransactions({ count: 20_000, seed: 21 });
    const memory = new MemoryFeatureStore();
    const store = new RedisFeatureStore({ redis: cluster, keyPrefix: 'cl' });
    const random = prng(5);
    for (const batch of randomBatches(txs, 512, random)) {
      const [expected, actual] = [await memory.applyBatch(batch), await store.applyBatch(batch)];
      for (let row = 0; row < batch.length; row++) {
        const diff = firstDifference(featureRow(expected, row), featureRow(actual, row));
        expect(diff, `transaction ${batch[row]!.transactionId}`).toBeUndefined();
      }
    }
    // A redelivered batch returns the first features and changes nothing.
    const again = await store.applyBatch(txs.slice(100, 600));
    const first = await memory.applyBatch(txs.slice(100, 600));
    for (let row = 0; row < 500; row++) {
      expect(firstDifference(featureRow(first, row), featureRow(again, row))).toBeUndefined();
    }
    const keysPerNode = await Promise.all(cluster.nodes('master').map((node) => node.dbsize()));
    expect(keysPerNode).toHaveLength(3);
    for (const keys of keysPerNode) expect(keys).toBeGreaterThan(0);
  });
});
