import { describe, expect, it } from 'vitest';
import { ConfigError, loadScorerConfig } from './config.ts';

const base = {
  KAFKA_BROKERS: '127.0.0.1:19092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18081/apis/ccompat/v7',
  REDIS_URL: 'redis://127.0.0.1:16379',
};

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadScorerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadScorerConfig', () => {
  it('applies defaults and returns a frozen object', () => {
    const config = loadScorerConfig({ ...base, SCORER_INSTANCE_ID: 'w1' });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(config.topics.decisions).toBe('fraud.decisions');
    expect(config.topics.alerts).toBe('fraud_alerts');
    // Per partition, not per replica: whoever owns a partition uses the same id and fences the last owner.
    expect(config.transactionalIdPrefix).toBe('fraud-scorer');
    expect(config.sessionTimeoutMs).toBe(6_000);
    expect(config.maxBatchSize).toBe(512);
    expect(config.commit).toEqual({ intervalMs: 20, maxRecords: 4_096 });
    expect(config.partitionsConsumedConcurrently).toBe(6);
    expect(config.model).toMatchObject({ registryDir: 'models', pollIntervalMs: 5_000, reasonCodesTopK: 3 });
    expect(config.featureLog).toBe('decision');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [{ KAFKA_BROKERS: undefined }, 'KAFKA_BROKERS', /required/],
    [{ KAFKA_BROKERS: 'no-port' }, 'KAFKA_BROKERS', /host:port/],
    [{ SCHEMA_REGISTRY_URL: 'not a url' }, 'SCHEMA_REGISTRY_URL', /URL/],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL', /redis:\/\//],
    [{ SCORER_MAX_BATCH_SIZE: 'lots' }, 'SCORER_MAX_BATCH_SIZE', /number/],
    [{ SCORER_MAX_BATCH_SIZE: '0' }, 'SCORER_MAX_BATCH_SIZE', />= 1/],
    [{ SCORER_COMMIT_INTERVAL_MS: '-1' }, 'SCORER_COMMIT_INTERVAL_MS', />= 0/],
    [{ SCORER_COMMIT_INTERVAL_MS: '5000' }, 'SCORER_COMMIT_INTERVAL_MS', /<= 1000/],
    [{ SCORER_COMMIT_MAX_RECORDS: '0' }, 'SCORER_COMMIT_MAX_RECORDS', />= 1/],
    [{ KAFKA_SSL: 'maybe' }, 'KAFKA_SSL', /true or false/],
    [
      { KAFKA_SASL_MECHANISM: 'scram-sha-512' },
      'KAFKA_SASL_USERNAME',
      /required for KAFKA_SASL_MECHANISM=scram-sha-512/,
    ],
    [{ KAFKA_SASL_MECHANISM: 'aws-msk-iam', KAFKA_SSL: 'true' }, 'AWS_REGION', /required/],
    [{ KAFKA_SASL_MECHANISM: 'aws-msk-iam' }, 'KAFKA_SSL', /must be true/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /./],
    [{ MODEL_POLL_INTERVAL_MS: '-1' }, 'MODEL_POLL_INTERVAL_MS', />= 0/],
    [{ MODEL_REASON_CODES_TOP_K: 'three' }, 'MODEL_REASON_CODES_TOP_K', /number/],
    [{ MODEL_SHADOW_ENABLED: 'sometimes' }, 'MODEL_SHADOW_ENABLED', /true or false/],
    [{ SCORER_FEATURE_LOG: 'topic' }, 'SCORER_FEATURE_LOG', /decision or off/],
    [{ STREAM_FIELDS: 'deviceId,shoeSize' }, 'STREAM_FIELDS', /subset of/],
  ])('names the bad variable: %o', (override, variable, message) => {
    const env: Record<string, string> = { ...base };
    for (const [key, value] of Object.entries(override)) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    const error = errorOf(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
  });

  it('reads the optional fields the stream provides (default all; empty = none)', () => {
    expect(loadScorerConfig(base).model.streamFields).toContain('originBalanceBeforeMinor');
    expect(loadScorerConfig({ ...base, STREAM_FIELDS: '' }).model.streamFields).toEqual([]);
    expect(loadScorerConfig({ ...base, STREAM_FIELDS: 'deviceId, channel' }).model.streamFields).toEqual([
      'deviceId',
      'channel',
    ]);
  });

  it('builds SASL/IAM settings for MSK', () => {
    const config = loadScorerConfig({
      ...base,
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'aws-msk-iam',
      AWS_REGION: 'eu-west-1',
    });
    expect(config.kafka.sasl).toEqual({ mechanism: 'aws-msk-iam', region: 'eu-west-1' });
    expect(config.kafka.ssl.enabled).toBe(true);
  });
});
