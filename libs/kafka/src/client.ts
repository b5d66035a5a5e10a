import { readFileSync } from 'node:fs';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConnectionSettings } from '@fraud/config';

export type SaslMechanism = KafkaConnectionSettings['sasl']['mechanism'];

/** The settings @fraud/config reads from KAFKA_* variables, plus the client's timeouts. */
export interface KafkaConnectionConfig extends Omit<KafkaConnectionSettings, 'brokers'> {
  brokers: readonly string[];
  /** @default 10000 */
  connectionTimeoutMs?: number;
  /** @default 30000 */
  requestTimeoutMs?: number;
}

function saslOptions(sasl: KafkaConnectionConfig['sasl']): SASLOptions | undefined {
  switch (sasl.mechanism) {
    case 'none':
      return undefined;
    case 'plain':
      return { mechanism: 'plain', username: sasl.username, password: sasl.password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
    case 'aws-msk-iam':
      return {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => {
          const { token } = await generateAuthToken({ region: sasl.region });
          return { value: token };
        },
      };
  }
}

/** Routes kafkajs logs into pino; kafkajs' own levels map onto pino's. */
function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...fields } = log;
      const child = { ...fields, component: 'kafkajs' };
      if (level === logLevel.ERROR) logger.error(child, message);
      else if (level === logLevel.WARN) logger.warn(child, message);
      else if (level === logLevel.INFO) logger.debug(child, message);
      else logger.trace(child, message);
    };
}

/** Builds a kafkajs client for PLAINTEXT, TLS, SASL/PLAIN, SCRAM or AWS MSK IAM. */
export function createKafka(config: KafkaConnectionConfig, logger?: Logger): Kafka {
  const kafkaConfig: KafkaConfig = {
    clientId: config.clientId,
    brokers: [...config.brokers],
    connectionTimeout: config.connectionTimeoutMs ?? 10_000,
    requestTimeout: config.requestTimeoutMs ?? 30_000,
    ssl: config.ssl.enabled
      ? config.ssl.caFile
        ? { ca: [readFileSync(config.ssl.caFile, 'utf8')] }
        : true
      : false,
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
    logLevel: logger ? logLevel.INFO : logLevel.NOTHING,
  };
  const sasl = saslOptions(config.sasl);
  if (sasl) kafkaConfig.sasl = sasl;
  if (logger) kafkaConfig.logCreator = pinoLogCreator(logger);
  return new Kafka(kafkaConfig);
}
