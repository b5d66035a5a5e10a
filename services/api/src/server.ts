import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { ValidationError, validateTransaction, type Transaction } from '@fraud/contracts';
import type { Logger } from '@fraud/observability';
import type { ApiKeyVerifier } from './auth.ts';
import type { ApiConfig } from './config.ts';
import { OverloadedError, ScoringUnavailableError } from './errors.ts';
import type { ApiMetrics, ErrorClass } from './metrics.ts';
import type { MicroBatcher } from './micro-batcher.ts';
import { errorResponseSchema, readinessSchema, scoreResponseSchema, transactionSchema } from './schemas.ts';

/** The server with the pino logger the API passes in. */
export type ApiServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  Logger
>;

export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface ApiServerDeps {
  config: Pick<ApiConfig, 'http' | 'requestDeadlineMs' | 'retryAfterSeconds' | 'maxFutureSkewMs'>;
  verifier: ApiKeyVerifier;
  batcher: Pick<MicroBatcher, 'submit' | 'queued'>;
  metrics: ApiMetrics;
  logger: Logger;
  readiness: () => Readiness;
  /** @default Date.now */
  now?: () => number;
}

interface ErrorBody {
  error: ErrorClass;
  message: string;
  field?: string;
}

/** A request the API refuses, with its status and JSON body. */
class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
}

interface AjvIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns Fastify's schema-validation error into a 400 naming the field. */
function fromSchemaError(issues: readonly AjvIssue[]): ErrorBody {
  const issue = issues[0];
  if (!issue) return { error: 'bad_request', message: 'the body is not a valid Transaction', field: 'body' };
  const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (issue.keyword === 'required') {
    const field = String(issue.params.missingProperty);
    return { error: 'bad_request', field, message: `${field}: is required` };
  }
  if (issue.keyword === 'additionalProperties') {
    const field = String(issue.params.additionalProperty);
    return { error: 'bad_request', field, message: `${field}: is not a Transaction field` };
  }
  const field = path === '' ? 'body' : path;
  let detail = issue.message ?? 'is invalid';
  if (issue.keyword === 'enum')
    detail = `must be one of ${(issue.params.allowedValues as unknown[]).join(', ')}`;
  return { error: 'bad_request', field, message: `${field}: ${detail}` };
}

/** Maps any error to a status and a body without internals (no stack traces, no raw messages for 500). */
function toHttpError(
  error: unknown,
  retryAfterSeconds: number,
): { status: number; body: ErrorBody; retry: boolean } {
  if (error instanceof HttpError) return { status: error.statusCode, body: error.body, retry: false };
  if (error instanceof ValidationError) {
    return {
      status: 400,
      body: { error: 'bad_request', field: error.field, message: error.message },
      retry: false,
    };
  }
  if (error instanceof OverloadedError) {
    return {
      status: 429,
      body: {
        error: 'overloaded',
        message: `too many requests in flight; retry after ${retryAfterSeconds} s`,
      },
      retry: true,
    };
  }
  if (error instanceof ScoringUnavailableError) {
    return { status: 503, body: { error: error.reason, message: error.message }, retry: true };
  }
  const fastifyError = error as Partial<FastifyError> & { validation?: AjvIssue[] };
  if (fastifyError.validation)
    return { status: 400, body: fromSchemaError(fastifyError.validation), retry: false };
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: {
          error: 'unsupported_media_type',
          message: 'the body must be JSON (Content-Type: application/json)',
        },
        retry: false,
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: { error: 'payload_too_large', message: 'the body is too large' },
        retry: false,
      };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        status: 400,
        body: { error: 'bad_request', field: 'body', message: 'body: does not match Content-Length' },
        retry: false,
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        body: { error: 'bad_request', field: 'body', message: 'body: is empty' },
        retry: false,
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return {
        status: 400,
        body: { error: 'bad_request', field: 'body', message: 'body: is not valid JSON' },
        retry: false,
      };
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    // Other client errors Fastify detects (e.g. a malformed header): its message names no internals.
    return {
      status,
      body: { error: 'bad_request', message: fastifyError.message ?? 'bad request' },
      retry: false,
    };
  }
  return { status: 500, body: { error: 'internal', message: 'internal error' }, retry: false };
}

/**
 * The HTTP layer: auth, validation, OpenAPI, metrics and error mapping around the micro-batcher.
 * Built without listening, so tests use `inject()` or `listen()` as they like.
 */
export async function buildApiServer(deps: ApiServerDeps): Promise<ApiServer> {
  const { config, verifier, batcher, metrics, logger } = deps;
  const now = deps.now ?? Date.now;
  const app = Fastify({
    loggerInstance: logger,
    // One log line per request would cost more than scoring it; errors are logged below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.http.bodyLimitBytes,
    return503OnClosing: true,
    // A client trickling its headers or body is cut off (slowloris); scoring has its own deadline.
    requestTimeout: 10_000,
    ajv: {
      // Strict JSON: "100" is not an amount, and unknown fields are refused rather than dropped.
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false },
    },
  });
  // Only JSON bodies: text/plain would otherwise parse as a string.
  app.removeContentTypeParser('text/plain');

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Fraud scorer: synchronous scoring API',
        version: '1.0.0',
        description:
          'Scores one payment inline with the same features, model, thresholds and explainer as the stream; a repeat of a transactionId returns the first answer and changes no state.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'One of API_KEYS.' } },
      },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });
  if (config.http.docsEnabled) await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  for (const schema of [transactionSchema, scoreResponseSchema, errorResponseSchema, readinessSchema]) {
    app.addSchema(schema);
  }

  const fail = (reply: FastifyReply, error: unknown, request?: FastifyRequest) => {
    const { status, body, retry } = toHttpError(error, config.retryAfterSeconds);
    if (status >= 500 && body.error === 'internal') {
      logger.error({ err: error, route: request?.routeOptions.url }, 'request failed');
    }
    metrics.errors.inc({ class: body.error });
    if (retry) void reply.header('retry-after', String(config.retryAfterSeconds));
    return reply.code(status).type('application/json').send(body);
  };
  app.setErrorHandler((error, request, reply) => fail(reply, error, request));
  app.setNotFoundHandler((request, reply) =>
    fail(
      reply,
      new HttpError(404, { error: 'not_found', message: `no route ${request.method} ${request.url}` }),
    ),
  );

  app.addHook('onResponse', (request, reply, done) => {
    metrics.requestDuration.observe(
      { route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1_000,
    );
    done();
  });

  const errors = {
    400: { $ref: 'Error#' },
    401: { $ref: 'Error#' },
    413: { $ref: 'Error#' },
    415: { $ref: 'Error#' },
    429: { $ref: 'Error#' },
    503: { $ref: 'Error#' },
  };
  app.post<{ Body: Transaction }>(
    '/v1/score',
    {
      schema: {
        summary: 'Score one transaction',
        description:
          'Validates the transaction, updates the account features (idempotent per transactionId), scores it with the champion model and decides at its thresholds. 429 (overloaded) and 503 carry Retry-After.',
        security: [{ bearerAuth: [] }],
        body: { $ref: 'Transaction#' },
        response: { 200: { $ref: 'ScoreResponse#' }, ...errors },
      },
      onRequest: (request, reply, done) => {
        if (verifier.verify(request.headers.authorization)) return done();
        void reply.header('www-authenticate', 'Bearer');
        void fail(
          reply,
          new HttpError(401, {
            error: 'unauthorized',
            message: 'a valid API key is required: Authorization: Bearer <key>',
          }),
        );
      },
    },
    async (request, reply) => {
      const tx = validateTransaction(request.body, now(), config.maxFutureSkewMs);
      const result = await batcher.submit(tx, config.requestDeadlineMs);
      metrics.decisions.inc({ decision: result.decision, model_version: result.modelVersion });
      return { ...result, latencyMs: reply.elapsedTime };
    },
  );

  app.get('/healthz', { schema: { summary: 'Liveness: the process serves HTTP' } }, (_request, reply) => {
    void reply.send({ status: 'ok' });
  });
  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: Redis connected and a model loaded',
        response: { 200: { $ref: 'Readiness#' }, 503: { $ref: 'Readiness#' } },
      },
    },
    async (_request, reply) => {
      const readiness = deps.readiness();
      return reply.code(readiness.ready ? 200 : 503).send(readiness);
    },
  );
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    metrics.queued.set(batcher.queued);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return app;
}
