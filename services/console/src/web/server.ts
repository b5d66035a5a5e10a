/**
 * The HTTP side: Fastify with server-rendered pages, sessions in the case store, CSRF tokens on
 * every form, and a JSON API for scripts. Nothing but /login, /healthz and /static is reachable
 * without a session.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySession from '@fastify/session';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import type { Db } from '../db/db.ts';
import { liveModelStats, readDrift, registryModels } from '../model-info.ts';
import {
  accountHistory,
  countAlerts,
  CursorError,
  filterChoices,
  getAlert,
  listAlerts,
  verdictHistory,
  type AlertRow,
} from '../store/alerts.ts';
import {
  assignAlert,
  audit,
  NotFoundError,
  recentAudit,
  recordVerdict,
  reopenAlert,
} from '../store/cases.ts';
import {
  authenticate,
  createUser,
  DuplicateUserError,
  getUser,
  listUsers,
  ROLE_RANK,
  setUserDisabled,
  type Role,
  type User,
} from '../store/users.ts';
import type { Html } from './html.ts';
import {
  auditPage,
  detailPage,
  errorPage,
  loginPage,
  modelPage,
  queuePage,
  queueRows,
  usersPage,
  type PageContext,
} from './pages.ts';
import {
  assignSchema,
  BadRequestError,
  loginBodySchema,
  newUserSchema,
  parseOrThrow,
  queueQuerySchema,
  toFilter,
  verdictBodySchema,
} from './requests.ts';
import { DbSessionStore } from './session-store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | undefined;
  }
  interface Session {
    userId?: number;
  }
}

export interface WebOptions {
  db: Db;
  logger: Logger;
  sessionSecret: string;
  sessionTtlMs: number;
  loginAttemptsPerMinute: number;
  cookieSecure: 'auto' | boolean;
  trustProxy: boolean;
  labelsTopic: string;
  pageSize: number;
  refreshMs: number;
  modelRegistryDir: string;
  scorerMetricsUrls: readonly string[];
  prometheusUrl: string | undefined;
  /** Wakes the outbox relay after a verdict. */
  onVerdict?: () => void;
}

const STATIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'static');
const STATIC_FILES: Record<string, { type: string; body: string }> = {
  'console.css': {
    type: 'text/css; charset=utf-8',
    body: readFileSync(path.join(STATIC_DIR, 'console.css'), 'utf8'),
  },
  'console.js': {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(path.join(STATIC_DIR, 'console.js'), 'utf8'),
  },
};

const PUBLIC_PATHS = new Set(['/login', '/healthz']);

function isApi(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

function wantsJson(request: FastifyRequest): boolean {
  return isApi(request) || (request.headers.accept ?? '').includes('application/json');
}

function sendHtml(reply: FastifyReply, page: Html, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page.value);
}

/** The API's alert shape: the FraudAlert fields plus the case state. */
function alertJson(a: AlertRow): Record<string, unknown> {
  return { ...a };
}

export async function buildWebServer(options: WebOptions): Promise<FastifyInstance> {
  const { db, logger } = options;
  const httpLogger: FastifyBaseLogger = logger.child({ component: 'http' }, { level: 'warn' });
  const app = Fastify({
    // Fastify logs every request at info; the console's own logs (sign-ins, failures) use `logger`.
    loggerInstance: httpLogger,
    trustProxy: options.trustProxy,
    bodyLimit: 64 * 1024,
  });
  const sessions = new DbSessionStore(db, options.sessionTtlMs);

  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: options.sessionSecret,
    cookieName: 'console_session',
    store: sessions,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: options.cookieSecure,
      path: '/',
      maxAge: options.sessionTtlMs,
    },
  });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });
  await app.register(fastifyFormbody);
  // Only routes that ask for it are limited (sign-in); the counters live in this process, so
  // with N console instances a client gets up to N times the limit: still a brute-force guard.
  await app.register(fastifyRateLimit, { global: false });

  const pruneTimer = setInterval(() => void sessions.prune().catch(() => undefined), 10 * 60_000);
  pruneTimer.unref();
  app.addHook('onClose', () => clearInterval(pruneTimer));

  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'same-origin');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Cache-Control', 'no-store');
    done(null, payload);
  });

  // Who is asking: the session's user, re-read every request so a disabled user is out at once.
  app.decorateRequest('user', undefined);
  app.addHook('preHandler', async (request, reply) => {
    const urlPath = request.url.split('?')[0]!;
    if (PUBLIC_PATHS.has(urlPath) || urlPath.startsWith('/static/')) return;
    const userId = request.session.get('userId');
    const user = userId === undefined ? undefined : await getUser(db, userId);
    if (!user || user.disabled) {
      if (wantsJson(request)) return reply.code(401).send({ error: 'unauthorized' });
      return reply.redirect('/login', 303);
    }
    request.user = user;
  });

  const requireRole = (role: Role) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.user || ROLE_RANK[request.user.role] < ROLE_RANK[role]) {
      if (wantsJson(request)) return reply.code(403).send({ error: 'forbidden', role });
      return sendHtml(
        reply,
        errorPage(pageContext(request, reply, 'Forbidden'), 403, `This needs the ${role} role.`),
        403,
      );
    }
  };
  const csrf = app.csrfProtection.bind(app);

  function pageContext(request: FastifyRequest, reply: FastifyReply, title: string): PageContext {
    return { user: request.user, csrfToken: request.user ? reply.generateCsrf() : undefined, title };
  }

  app.setErrorHandler(async (error, request, reply) => {
    let status = 500;
    let body: Record<string, unknown> = { error: 'internal error' };
    if (error instanceof BadRequestError || error instanceof CursorError) {
      status = 400;
      const field = error instanceof BadRequestError ? error.field : error.field;
      body = { error: 'invalid request', field, message: error.message };
    } else if (error instanceof NotFoundError) {
      status = 404;
      body = { error: 'not found', message: error.message };
    } else if (
      (error as { code?: string }).code === 'FST_CSRF_INVALID_TOKEN' ||
      (error as { code?: string }).code === 'FST_CSRF_MISSING_SECRET'
    ) {
      status = 403;
      body = { error: 'invalid CSRF token' };
    } else if (
      typeof (error as { statusCode?: number }).statusCode === 'number' &&
      (error as { statusCode: number }).statusCode < 500
    ) {
      status = (error as { statusCode: number }).statusCode;
      body = { error: (error as Error).message };
    } else {
      logger.error({ err: error, url: request.url }, 'request failed');
    }
    if (wantsJson(request)) return reply.code(status).send(body);
    const message =
      status === 500 ? 'Something went wrong; it is in the log.' : String(body.message ?? body.error);
    return sendHtml(reply, errorPage(pageContext(request, reply, String(status)), status, message), status);
  });

  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));

  app.get<{ Params: { file: string } }>('/static/:file', async (request, reply) => {
    const file = STATIC_FILES[request.params.file];
    if (!file) return reply.code(404).send('not found');
    return reply.type(file.type).header('Cache-Control', 'max-age=300').send(file.body);
  });

  // --- sign-in ---------------------------------------------------------------------------------
  app.get('/login', (_request, reply) => sendHtml(reply, loginPage(false)));

  // No CSRF token here: there is no session yet to bind one to, and SameSite=Lax keeps other
  // sites' forms from carrying a session cookie anyway.
  const signInLimit = {
    max: options.loginAttemptsPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => request.ip,
    errorResponseBuilder: (_request: FastifyRequest, context: { after: string }) =>
      Object.assign(
        new Error(`Too many sign-in attempts from this address; try again in ${context.after}.`),
        {
          statusCode: 429,
        },
      ),
  };
  app.post('/login', { config: { rateLimit: signInLimit } }, async (request, reply) => {
    const parsed = loginBodySchema.safeParse(request.body);
    const user = parsed.success ? await authenticate(db, parsed.data.email, parsed.data.password) : undefined;
    if (!user) {
      logger.info({ ip: request.ip }, 'sign-in failed');
      if (wantsJson(request)) return reply.code(401).send({ error: 'unauthorized' });
      return sendHtml(reply, loginPage(true), 401);
    }
    await request.session.regenerate();
    request.session.set('userId', user.id);
    await request.session.save();
    await audit(db, user.email, 'sign-in', user.email, { ip: request.ip }, Date.now());
    logger.info({ userId: user.id, ip: request.ip }, 'signed in');
    if (wantsJson(request)) return reply.send({ email: user.email, role: user.role });
    return reply.redirect('/', 303);
  });

  app.post('/logout', { preHandler: csrf }, async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/login', 303);
  });

  // --- queue -----------------------------------------------------------------------------------
  app.get('/', async (request, reply) => {
    const rawQuery = request.query as Record<string, string>;
    const query = parseOrThrow(queueQuerySchema, rawQuery);
    const { filter, sort } = toFilter(query);
    const page = await listAlerts(db, filter, sort, query.limit ?? options.pageSize, query.cursor);
    if (request.headers['x-fragment'] === 'rows') {
      return sendHtml(reply, queueRows(page.alerts));
    }
    const keep = Object.fromEntries(
      Object.entries(rawQuery).filter(([, v]) => typeof v === 'string' && v !== ''),
    );
    const ctx = { ...pageContext(request, reply, 'Queue'), refreshMs: options.refreshMs };
    return sendHtml(
      reply,
      queuePage(ctx, {
        filter,
        sort,
        query: keep,
        alerts: page.alerts,
        nextCursor: page.nextCursor,
        openCount: await countAlerts(db, 'open'),
        modelVersions: (await filterChoices(db)).modelVersions,
      }),
    );
  });

  app.get<{ Params: { id: string } }>('/alerts/:id', async (request, reply) => {
    const alert = await getAlert(db, request.params.id);
    if (!alert) throw new NotFoundError(`no alert for transaction ${request.params.id}`);
    const ctx = pageContext(request, reply, `Alert ${alert.transactionId}`);
    return sendHtml(
      reply,
      detailPage(ctx, {
        alert,
        history: await accountHistory(db, alert.originAccountId),
        verdicts: await verdictHistory(db, alert.transactionId),
        users: request.user!.role === 'analyst' ? [] : await listUsers(db),
      }),
    );
  });

  app.post<{ Params: { id: string } }>(
    '/alerts/:id/verdict',
    { preHandler: csrf },
    async (request, reply) => {
      const body = parseOrThrow(verdictBodySchema, request.body);
      const alert = await recordVerdict(
        db,
        options.labelsTopic,
        request.params.id,
        body.verdict,
        body.note,
        request.user!,
      );
      options.onVerdict?.();
      if (wantsJson(request))
        return reply.send({
          transactionId: alert.transactionId,
          status: alert.status,
          verdict: alert.verdict,
        });
      return reply.redirect(`/alerts/${encodeURIComponent(alert.transactionId)}`, 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/alerts/:id/reopen',
    { preHandler: [requireRole('lead'), csrf] },
    async (request, reply) => {
      await reopenAlert(db, request.params.id, request.user!);
      return reply.redirect(`/alerts/${encodeURIComponent(request.params.id)}`, 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/alerts/:id/assign',
    { preHandler: [requireRole('lead'), csrf] },
    async (request, reply) => {
      const { assignee } = parseOrThrow(assignSchema, request.body);
      await assignAlert(db, request.params.id, assignee || null, request.user!);
      return reply.redirect(`/alerts/${encodeURIComponent(request.params.id)}`, 303);
    },
  );

  // --- model, audit, users ---------------------------------------------------------------------
  app.get('/model', async (request, reply) => {
    const windowHours = 24;
    const [registry, stats, drift] = await Promise.all([
      registryModels(options.modelRegistryDir),
      liveModelStats(db, Date.now() - windowHours * 3_600_000),
      readDrift(options.scorerMetricsUrls, options.prometheusUrl),
    ]);
    const ctx = pageContext(request, reply, 'Model');
    return sendHtml(
      reply,
      modelPage(ctx, {
        slots: registry.slots,
        registryError: registry.error,
        stats,
        statsWindowHours: windowHours,
        drift,
      }),
    );
  });

  app.get('/audit', { preHandler: requireRole('lead') }, async (request, reply) =>
    sendHtml(reply, auditPage(pageContext(request, reply, 'Audit log'), await recentAudit(db))),
  );

  app.get('/admin/users', { preHandler: requireRole('admin') }, async (request, reply) =>
    sendHtml(reply, usersPage(pageContext(request, reply, 'Users'), await listUsers(db))),
  );

  app.post('/admin/users', { preHandler: [requireRole('admin'), csrf] }, async (request, reply) => {
    const body = parseOrThrow(newUserSchema, request.body);
    let message = `Added ${body.email} (${body.role}).`;
    try {
      await createUser(db, body.email, body.password, body.role, request.user!.email);
    } catch (error) {
      if (!(error instanceof DuplicateUserError)) throw error;
      message = error.message;
    }
    return sendHtml(reply, usersPage(pageContext(request, reply, 'Users'), await listUsers(db), message));
  });

  app.post<{ Params: { id: string; action: string } }>(
    '/admin/users/:id/:action',
    { preHandler: [requireRole('admin'), csrf] },
    async (request, reply) => {
      const id = Number(request.params.id);
      if (!Number.isSafeInteger(id) || !['enable', 'disable'].includes(request.params.action)) {
        throw new NotFoundError('no such user action');
      }
      if (id === request.user!.id) throw new BadRequestError('id', 'you cannot disable yourself');
      await setUserDisabled(db, id, request.params.action === 'disable', request.user!.email);
      return reply.redirect('/admin/users', 303);
    },
  );

  // --- JSON API for scripts --------------------------------------------------------------------
  app.get('/api/alerts', async (request) => {
    const query = parseOrThrow(queueQuerySchema, request.query);
    const { filter, sort } = toFilter(query);
    const page = await listAlerts(db, filter, sort, query.limit ?? options.pageSize, query.cursor);
    return { alerts: page.alerts.map(alertJson), nextCursor: page.nextCursor ?? null };
  });

  app.get<{ Params: { id: string } }>('/api/alerts/:id', async (request) => {
    const alert = await getAlert(db, request.params.id);
    if (!alert) throw new NotFoundError(`no alert for transaction ${request.params.id}`);
    return { ...alertJson(alert), verdicts: await verdictHistory(db, alert.transactionId) };
  });

  // JSON only: a cross-site form cannot send application/json without a CORS preflight, which
  // this server never grants, so the API needs no CSRF token (and scripts can use it).
  app.post<{ Params: { id: string } }>('/api/alerts/:id/verdict', async (request, reply) => {
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      return reply.code(415).send({ error: 'unsupported media type', message: 'send application/json' });
    }
    const body = parseOrThrow(verdictBodySchema, request.body ?? {});
    const alert = await recordVerdict(
      db,
      options.labelsTopic,
      request.params.id,
      body.verdict,
      body.note,
      request.user!,
    );
    options.onVerdict?.();
    return { transactionId: alert.transactionId, status: alert.status, verdict: alert.verdict };
  });

  return app;
}
