import { Cluster, Redis } from 'ioredis';

export interface RedisClientOptions {
  /** redis://host:port or rediss://user:pass@host:port (TLS). */
  url: string;
  /** A Redis Cluster: `url` names one seed node. */
  cluster: boolean;
  /** A command without an answer by then fails (the caller retries or answers 503). */
  commandTimeoutMs: number;
  /** The AUTH token (REDIS_PASSWORD, a secret in AWS); wins over a password in `url`. */
  password?: string | undefined;
}

/**
 * A client for the feature store, not yet connected (call connect()). Commands fail fast while
 * disconnected (no unbounded offline queue): the scorer pauses the batch and retries with
 * backoff, the API answers 503, instead of piling commands up in memory.
 */
export function createRedisClient(config: RedisClientOptions): Redis | Cluster {
  const options = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: config.commandTimeoutMs,
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2_000),
  };
  const url = new URL(config.url);
  if (config.cluster) {
    return new Cluster([{ host: url.hostname, port: Number(url.port || 6379) }], {
      lazyConnect: true,
      enableOfflineQueue: false,
      redisOptions: {
        ...options,
        username: url.username || undefined,
        password: config.password ?? (decodeURIComponent(url.password) || undefined),
        tls: url.protocol === 'rediss:' ? {} : undefined,
      },
    });
  }
  // ioredis fills options left undefined from the URL, so an unset password keeps the URL's.
  return new Redis(config.url, { ...options, password: config.password });
}
