import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaText, type Transaction } from '@fraud/contracts';
import {
  FEATURE_NAMES,
  FEATURE_SET_FINGERPRINT,
  MemoryFeatureStore,
  type FeatureMatrix,
  type FeatureStore,
} from '@fraud/features';
import { LocalModelSource } from '@fraud/model';
import { createLogger } from '@fraud/observability';
import { BatchScorer } from '@fraud/scoring';
import { copyModels, type TestModels } from '@fraud/scoring/testing';
import { ApiKeyVerifier } from './auth.ts';
import { ApiMetrics } from './metrics.ts';
import { MicroBatcher } from './micro-batcher.ts';
import { ModelHolder } from './model-holder.ts';
import { buildApiServer, type ApiServer } from './server.ts';

// The HTTP contract through Fastify's inject(): the real model (ONNX + TreeSHAP), the in-memory
// feature store. The same paths against real Redis are in api.int.test.ts.
const KEY = 'test-key-0123456789abcdef';
const NOW = 1_790_000_000_000;
const logger = createLogger({ name: 'api-test', level: 'silent' });
const cleanup: (() => Promise<unknown>)[] = [];
let models: TestModels;

beforeAll(async () => {
  models = await copyModels();
  cleanup.push(() => models.remove());
});
afterAll(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A store whose batches wait for `open()` (to fill the queue or miss the deadline). */
class GatedStore implements FeatureStore {
  private gate: Promise<void> = Promise.resolve();
  open: () => void = () => undefined;
  constructor(private readonly inner: FeatureStore) {}
  close(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  async applyBatch(txs: readonly Transaction[]): Promise<FeatureMatrix> {
    await this.gate;
    return this.inner.applyBatch(txs);
  }
}

interface Setup {
  featureStore?: FeatureStore;
  modelsDir?: string;
  deadlineMs?: number;
  maxQueue?: number;
  maxBatchSize?: number;
  bodyLimitBytes?: number;
}

async function server(
  setup: Setup = {},
): Promise<{ app: ApiServer; metrics: ApiMetrics; batcher: MicroBatcher }> {
  const metrics = new ApiMetrics({ defaultMetrics: false });
  const holder = await ModelHolder.start({
    source: new LocalModelSource(setup.modelsDir ?? models.dir),
    loadOptions: { expectedFeatureFingerprint: FEATURE_SET_FINGERPRINT, expectedFeatureNames: FEATURE_NAMES },
    logger,
    metrics,
    pollIntervalMs: 0,
    pinnedChampion: undefined,
    reasonCodesTopK: 3,
    warmRows: 8,
  });
  const batcher = new MicroBatcher({
    scorer: new BatchScorer({ featureStore: setup.featureStore ?? new MemoryFeatureStore(), models: holder }),
    maxBatchSize: setup.maxBatchSize ?? 64,
    maxWaitMs: 1,
    maxConcurrentBatches: 1,
    maxQueue: setup.maxQueue ?? 512,
  });
  const app = await buildApiServer({
    config: {
      http: { host: '127.0.0.1', port: 0, bodyLimitBytes: setup.bodyLimitBytes ?? 16_384, docsEnabled: true },
      requestDeadlineMs: setup.deadlineMs ?? 5_000,
      retryAfterSeconds: 2,
      maxFutureSkewMs: 300_000,
    },
    verifier: new ApiKeyVerifier([KEY]),
    batcher,
    metrics,
    logger,
    readiness: () => ({ ready: holder.loaded, checks: { model: { ok: holder.loaded } } }),
    now: () => NOW,
  });
  cleanup.push(async () => {
    await app.close();
    await batcher.close();
    await holder.close();
  });
  return { app, metrics, batcher };
}

function transaction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    transactionId: 'tx-1',
    eventTime: NOW - 1_000,
    type: 'TRANSFER',
    amountMinor: 250_000,
    currency: 'USD',
    originAccountId: 'C1',
    destinationAccountId: 'C2',
    originBalanceBeforeMinor: 250_000,
    originBalanceAfterMinor: 0,
    ...overrides,
  };
}

function score(app: ApiServer, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/v1/score',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST /v1/score', () => {
  let app: ApiServer;
  let metrics: ApiMetrics;
  beforeAll(async () => {
    ({ app, metrics } = await server());
  });

  it('answers with the decision, score, reasons, model version, thresholds and latency; a repeat gives the same', async () => {
    const first = await score(app, transaction());
    expect(first.statusCode).toBe(200);
    const body = first.json<Record<string, unknown>>();
    expect(Object.keys(body).sort()).toEqual(
      ['decision', 'latencyMs', 'modelVersion', 'reasons', 'score', 'thresholds', 'transactionId'].sort(),
    );
    expect(body.transactionId).toBe('tx-1');
    expect(body.modelVersion).toBe(models.defaultVersion);
    expect(['ALLOW', 'REVIEW', 'BLOCK']).toContain(body.decision);
    expect(body.score).toBeGreaterThanOrEqual(0);
    expect(body.score).toBeLessThanOrEqual(1);
    const thresholds = body.thresholds as { review: number; block: number };
    const s = body.score as number;
    expect(body.decision).toBe(s >= thresholds.block ? 'BLOCK' : s >= thresholds.review ? 'REVIEW' : 'ALLOW');
    expect(Array.isArray(body.reasons)).toBe(true);
    if (body.decision === 'ALLOW') expect(body.reasons).toEqual([]);
    expect(body.latencyMs).toBeGreaterThan(0);

    const again = (await score(app, transaction())).json<Record<string, unknown>>();
    expect({ ...again, latencyMs: 0 }).toEqual({ ...body, latencyMs: 0 });
  });

  it('explains flagged transactions with reason codes of the model features', async () => {
    // A run of drain-like transfers from one account: whatever the model, collect a flagged one
    // if any, and check its reasons name model features (none flagged = nothing to check here).
    const results = [];
    for (let i = 0; i < 30; i++) {
      const response = await score(
        app,
        transaction({
          transactionId: `drain-${i}`,
          eventTime: NOW - 60_000 + i * 1_000,
          originAccountId: 'C9',
        }),
      );
      results.push(response.json<{ decision: string; reasons: { feature: string }[] }>());
    }
    for (const r of results.filter((x) => x.decision !== 'ALLOW')) {
      expect(r.reasons.length).toBeGreaterThan(0);
      for (const reason of r.reasons) expect(FEATURE_NAMES).toContain(reason.feature);
    }
  });

  it.each([
    ['a wrong type', { amountMinor: '250000' }, 'amountMinor', /must be integer/],
    ['a fractional amount', { amountMinor: 1.5 }, 'amountMinor', /must be integer/],
    ['a negative amount', { amountMinor: -5 }, 'amountMinor', /must be >= 1/],
    ['a zero amount', { amountMinor: 0 }, 'amountMinor', /must be >= 1/],
    ['an unknown transaction type', { type: 'WIRE' }, 'type', /must be one of PAYMENT, TRANSFER/],
    ['a timestamp too far in the future', { eventTime: NOW + 3_600_000 }, 'eventTime', /ms in the future/],
    ['a missing field', { currency: undefined }, 'currency', /is required/],
    ['a bad currency', { currency: 'usd' }, 'currency', /must match pattern/],
    ['an empty id', { originAccountId: '' }, 'originAccountId', /must NOT have fewer than 1/],
    ['a null where a value is required', { transactionId: null }, 'transactionId', /must be string/],
    ['an unknown field', { cardNumber: '4111111111111111' }, 'cardNumber', /is not a Transaction field/],
  ])('400 naming the field for %s', async (_case, overrides, field, message) => {
    const response = await score(app, transaction(overrides));
    expect(response.statusCode).toBe(400);
    const body = response.json<{ error: string; field: string; message: string }>();
    expect(body).toMatchObject({ error: 'bad_request', field });
    expect(body.message).toMatch(message);
  });

  it('400 naming the body for an empty body, bad JSON or a body that is not an object', async () => {
    for (const payload of ['', '{"transactionId": ', '[1,2]', '"text"', 'null']) {
      const response = await score(app, payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'bad_request', field: 'body' });
    }
  });

  it('401 without a valid key, before the body is even read', async () => {
    for (const authorization of [undefined, 'Bearer wrong-key-0123456789', `Basic ${KEY}`, KEY]) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/score',
        headers: { 'content-type': 'text/plain', ...(authorization ? { authorization } : {}) },
        payload: 'not even JSON',
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json()).toEqual({
        error: 'unauthorized',
        message: 'a valid API key is required: Authorization: Bearer <key>',
      });
    }
  });

  it('415 for a body that is not JSON', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const response = await score(app, 'transactionId=1', { 'content-type': contentType });
      expect(response.statusCode).toBe(415);
      expect(response.json()).toMatchObject({ error: 'unsupported_media_type' });
    }
  });

  it('counts decisions and errors by class in /metrics', async () => {
    await score(app, transaction({ transactionId: 'metrics-1' }));
    await score(app, transaction({ amountMinor: -1 }));
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(
      /fraud_api_decisions_total\{decision="(ALLOW|REVIEW|BLOCK)",model_version="[^"]+"\} \d+/,
    );
    expect(text).toMatch(/fraud_api_errors_total\{class="bad_request"\} [1-9]/);
    expect(text).toMatch(
      /fraud_api_request_duration_seconds_count\{route="\/v1\/score",status="200"\} [1-9]/,
    );
    expect(text).toContain(`fraud_model_info{model_version="${models.defaultVersion}"`);
    expect((await metrics.registry.getSingleMetricAsString('fraud_api_batch_size')).length).toBeGreaterThan(
      0,
    );
  });
});

describe('limits and failures', () => {
  it('413 for a body over the limit', async () => {
    const { app } = await server({ bodyLimitBytes: 1_024 });
    const response = await score(app, transaction({ deviceId: 'x'.repeat(2_000) }));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: 'payload_too_large' });
  });

  it('429 with Retry-After when the queue is full', async () => {
    const store = new GatedStore(new MemoryFeatureStore());
    const { app, batcher } = await server({ featureStore: store, maxQueue: 2, maxBatchSize: 1 });
    store.close();
    const waiting = [1, 2, 3].map((i) => score(app, transaction({ transactionId: `q-${i}` })));
    // One batch held by the store, two requests queued: the queue is full.
    while (batcher.queued < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const shed = await score(app, transaction({ transactionId: 'q-shed' }));
    expect(shed.statusCode).toBe(429);
    expect(shed.headers['retry-after']).toBe('2');
    expect(shed.json()).toMatchObject({ error: 'overloaded' });
    store.open();
    expect((await Promise.all(waiting)).map((r) => r.statusCode)).toEqual([200, 200, 200]);
  });

  it('503 deadline_exceeded when scoring takes longer than the deadline', async () => {
    const store = new GatedStore(new MemoryFeatureStore());
    const { app } = await server({ featureStore: store, deadlineMs: 50 });
    store.close();
    const response = await score(app, transaction());
    store.open();
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('2');
    expect(response.json()).toMatchObject({ error: 'deadline_exceeded' });
  });

  it('503 model_unavailable when no model is loaded; /readyz says not ready', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'api-no-models-'));
    cleanup.push(() => rm(empty, { recursive: true, force: true }));
    const { app } = await server({ modelsDir: empty });
    const response = await score(app, transaction());
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ error: 'model_unavailable', message: 'no model is loaded' });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });

  it('500 without internals when something unexpected fails', async () => {
    const broken: FeatureStore = {
      applyBatch: () => Promise.reject(new Error('boom in /srv/secret/path.ts:12')),
    };
    const { app } = await server({ featureStore: broken });
    const response = await score(app, transaction());
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'internal', message: 'internal error' });
    expect(response.body).not.toMatch(/boom|secret|at |stack/);
  });

  it('404 as JSON for unknown routes', async () => {
    const { app } = await server();
    const response = await app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('GET /docs', () => {
  it('serves the OpenAPI 3.1 document with the Transaction contract and a browsable page', async () => {
    const { app } = await server();
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown }>>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/v1/score']?.post?.security).toEqual([{ bearerAuth: [] }]);
    // The HTTP contract has exactly the Avro contract's fields, in its order.
    const avroFields = (JSON.parse(schemaText('transaction')) as { fields: { name: string }[] }).fields;
    expect(Object.keys(doc.components.schemas.Transaction!.properties)).toEqual(
      avroFields.map((f) => f.name),
    );
    const page = await app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });
});
