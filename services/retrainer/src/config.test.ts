import { describe, expect, it } from 'vitest';
import { loadRetrainerEnv } from './config.ts';

const base = { KAFKA_BROKERS: 'b1:9098,b2:9098', SCHEMA_REGISTRY_URL: 'http://r:8080/apis/ccompat/v7' };

describe('loadRetrainerEnv', () => {
  it('reads brokers, registry, topics and MSK IAM like the scorer', () => {
    const env = loadRetrainerEnv({
      ...base,
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'aws-msk-iam',
      AWS_REGION: 'eu-west-1',
      TOPIC_LABELS: 'x.labels',
    });
    expect(env.kafkaBrokers).toEqual(['b1:9098', 'b2:9098']);
    expect(env.kafka).toMatchObject({
      ssl: { enabled: true },
      sasl: { mechanism: 'aws-msk-iam', region: 'eu-west-1' },
    });
    expect(env.topics).toEqual({ decisions: 'fraud.decisions', labels: 'x.labels' });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadRetrainerEnv({ ...base, KAFKA_SASL_MECHANISM: 'kerberos' })).toThrow(
      /KAFKA_SASL_MECHANISM/,
    );
    expect(() => loadRetrainerEnv({ ...base, KAFKA_SASL_MECHANISM: 'aws-msk-iam' })).toThrow(
      /^KAFKA_SSL: must be true with KAFKA_SASL_MECHANISM=aws-msk-iam/,
    );
    // The same spellings as every service (the retrainer used to accept fewer).
    expect(loadRetrainerEnv({ ...base, KAFKA_SSL: 'yes' }).kafka?.ssl.enabled).toBe(true);
    expect(() => loadRetrainerEnv({ ...base, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SSL: 'true' })).toThrow(
      /KAFKA_SASL_USERNAME/,
    );
  });
});
