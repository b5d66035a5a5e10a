import { describe, expect, it } from 'vitest';
import { ConfigError, loadApiConfig } from './config.ts';

const base = { API_KEYS: 'k-0123456789abcdef', REDIS_URL: 'redis://127.0.0.1:6379' };

function errorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadApiConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadApiConfig', () => {
  it('listens on 127.0.0.1:8090 with micro-batches of up to 64 collected per event-loop turn by default', () => {
    const config = loadApiConfig(base);
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8090, bodyLimitBytes: 16_384, docsEnabled: true });
    expect(config.batching).toEqual({
      maxBatchSize: 64,
      maxWaitMs: 0,
      maxConcurrentBatches: 4,
      maxQueue: 512,
    });
    expect(config.apiKeys).toEqual(['k-0123456789abcdef']);
    expect(config.redis.keyPrefix).toBe('fs');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('refuses to start without API_KEYS', () => {
    const error = errorOf({ REDIS_URL: base.REDIS_URL });
    expect(error.variable).toBe('API_KEYS');
    expect(error.message).toBe('API_KEYS: is required');
    expect(errorOf({ ...base, API_KEYS: ' , ' }).variable).toBe('API_KEYS');
  });

  it('refuses short keys and keys with spaces, and reads several comma-separated keys', () => {
    expect(errorOf({ ...base, API_KEYS: 'short' }).message).toMatch(/^API_KEYS: every key must be >= 16/);
    expect(errorOf({ ...base, API_KEYS: 'k-0123456789abcdef,has space 0123456789' }).variable).toBe(
      'API_KEYS',
    );
    const config = loadApiConfig({ ...base, API_KEYS: 'k-0123456789abcdef, k-fedcba9876543210 ,' });
    expect(config.apiKeys).toEqual(['k-0123456789abcdef', 'k-fedcba9876543210']);
  });

  it('names the bad variable', () => {
    expect(errorOf({ ...base, API_PORT: 'eighty' }).variable).toBe('API_PORT');
    expect(errorOf({ ...base, API_PORT: '70000' }).message).toBe('API_PORT: must be <= 65535');
    expect(errorOf({ ...base, API_MAX_BATCH_SIZE: '0' }).variable).toBe('API_MAX_BATCH_SIZE');
    expect(errorOf({ ...base, API_REQUEST_DEADLINE_MS: '1.5' }).message).toBe(
      'API_REQUEST_DEADLINE_MS: must be an integer',
    );
    expect(errorOf({ ...base, REDIS_URL: 'localhost:6379' }).variable).toBe('REDIS_URL');
    expect(errorOf({ API_KEYS: base.API_KEYS }).message).toBe('REDIS_URL: is required');
    expect(errorOf({ ...base, API_DOCS_ENABLED: 'maybe' }).variable).toBe('API_DOCS_ENABLED');
  });
});
