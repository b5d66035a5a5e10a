/**
 * Test helpers for the API's integration tests: an API in this process against the real stack's
 * Redis (own key prefix), a JSON client, and a Redis snapshot to show what a call changed.
 */
import type { Transaction } from '@fraud/contracts';
import { createLogger } from '@fraud/observability';
import { createApiApp, type ApiApp } from '../app.ts';
import { loadApiConfig } from '../config.ts';

export const TEST_API_KEY = 'test-key-0123456789abcdef';

export interface ScoreResponse {
  transactionId: string;
  decision: string;
  score: number | null;
  reasons: { feature: string; value: number | null; contribution: number }[];
  modelVersion: string;
  thresholds: { review: number; block: number };
  latencyMs: number;
}

/**
 * Starts an API on a free port; `env` overrides the defaults (REDIS_URL is required).
 * `defaultMetrics` adds prom-client's process metrics (CPU, event loop, GC) to its /metrics.
 */
export async function startTestApi(
  env: Record<string, string>,
  options: { defaultMetrics?: boolean } = {},
): Promise<ApiApp & { url: string }> {
  const config = loadApiConfig({
    API_KEYS: TEST_API_KEY,
    API_PORT: '0',
    API_REQUEST_DEADLINE_MS: '5000',
    REDIS_COMMAND_TIMEOUT_MS: '1000',
    MODEL_POLL_INTERVAL_MS: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await createApiApp(
    config,
    createLogger({ name: 'api-test', level: config.logLevel }),
    undefined,
    { defaultMetrics: options.defaultMetrics ?? false },
  );
  return Object.assign(app, { url: `http://127.0.0.1:${app.port}` });
}

/** POST /v1/score over real HTTP. */
export async function postScore(
  url: string,
  tx: Transaction | Record<string, unknown>,
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(`${url}/v1/score`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(tx),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** Scores and expects 200; the result without its latency (which differs call to call). */
export async function scoreOk(url: string, tx: Transaction): Promise<Omit<ScoreResponse, 'latencyMs'>> {
  const { status, body } = await postScore(url, tx);
  if (status !== 200)
    throw new Error(`POST /v1/score ${tx.transactionId}: ${status} ${JSON.stringify(body)}`);
  const { latencyMs: _latency, ...result } = body as ScoreResponse;
  return result;
}

export { redisSnapshot } from '@fraud/features/testing';
