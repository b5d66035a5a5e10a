import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthProbe {
  /** Liveness: false only when the process should be restarted. */
  live(): boolean;
  /** Readiness: true while the process is doing its job (dependencies reachable, consuming). */
  ready(): boolean;
  /** Extra detail for humans reading /readyz. */
  detail?(): Record<string, unknown>;
}

export interface OpsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  health: HealthProbe;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves /metrics (Prometheus text format), /healthz and /readyz. */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server = http.createServer((request, response) => {
    const url = (request.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'application/json') => {
      response.writeHead(status, { 'Content-Type': type });
      response.end(body);
    };
    if (url === '/metrics') {
      options.registry
        .metrics()
        .then((text) => reply(200, text, options.registry.contentType))
        .catch((error: unknown) => reply(500, JSON.stringify({ error: String(error) })));
    } else if (url === '/healthz') {
      const live = options.health.live();
      reply(live ? 200 : 503, JSON.stringify({ live }));
    } else if (url === '/readyz') {
      const ready = options.health.ready();
      reply(ready ? 200 : 503, JSON.stringify({ ready, ...options.health.detail?.() }));
    } else {
      reply(404, JSON.stringify({ error: 'not found', paths: ['/metrics', '/healthz', '/readyz'] }));
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
