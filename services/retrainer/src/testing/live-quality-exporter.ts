import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const mainScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../quality/main.ts');
const repoRoot = path.resolve(path.dirname(mainScript), '../../../..');

export interface LiveQualityExporterOptions {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  topics: { decisions: string; labels: string };
  port: number;
  /** Where challenger manifests are read from; the repository's `models/` by default. */
  modelRegistryDir?: string;
}

export interface LiveQualityExporter {
  url: string;
  /** Stops the child with SIGTERM; resolves once it exited. */
  stop(): Promise<void>;
}

/**
 * Runs the real live-quality exporter (`npm run live-quality`) as a child process on the given
 * decision and label topics, for tests that scrape it.
 */
export function spawnLiveQualityExporter(options: LiveQualityExporterOptions): LiveQualityExporter {
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript], {
    cwd: repoRoot,
    env: {
      ...process.env,
      KAFKA_BROKERS: options.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: options.schemaRegistryUrl,
      TOPIC_DECISIONS: options.topics.decisions,
      TOPIC_LABELS: options.topics.labels,
      QUALITY_HTTP_PORT: String(options.port),
      MODEL_REGISTRY_DIR: options.modelRegistryDir ?? path.join(repoRoot, 'models'),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${options.port}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
