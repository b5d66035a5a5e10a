/** Server-rendered pages: dense tables, a few forms, one stylesheet and one small script. */
import { formatAmount, formatCount, formatRatio, formatTime } from '../format.ts';
import type { LiveModelStats, DriftReading, ModelSlot } from '../model-info.ts';
import { describeContribution, describeReason } from '../reasons.ts';
import type { AlertRow, HistoryRow, QueueFilter, QueueSort, VerdictRecord } from '../store/alerts.ts';
import type { AuditEntry } from '../store/cases.ts';
import type { User } from '../store/users.ts';
import { html, type Html } from './html.ts';
import { psiChart } from './charts.ts';

export interface PageContext {
  user: User | undefined;
  csrfToken: string | undefined;
  title: string;
  /** Live refresh interval for the page's script; 0 = off. */
  refreshMs?: number;
}

export function layout(ctx: PageContext, body: Html): Html {
  const nav = ctx.user
    ? html`<nav aria-label="Main">
        <a href="/">Queue</a>
        <a href="/model">Model</a>
        ${ctx.user.role !== 'analyst' ? html`<a href="/audit">Audit log</a>` : ''}
        ${ctx.user.role === 'admin' ? html`<a href="/admin/users">Users</a>` : ''}
        <span class="who">${ctx.user.email} (${ctx.user.role})</span>
        <form method="post" action="/logout" class="inline">
          <input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ''}" />
          <button type="submit">Sign out</button>
        </form>
      </nav>`
    : '';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        ${ctx.csrfToken ? html`<meta name="csrf-token" content="${ctx.csrfToken}" />` : ''}
        <meta name="refresh-ms" content="${ctx.refreshMs ?? 0}" />
        <title>${ctx.title} · Fraud console</title>
        <link rel="stylesheet" href="/static/console.css" />
        <script src="/static/console.js" defer></script>
      </head>
      <body>
        <header><a class="brand" href="/">Fraud console</a>${nav}</header>
        <main id="main">${body}</main>
      </body>
    </html>`;
}

export function loginPage(failed: boolean): Html {
  return layout(
    { user: undefined, csrfToken: undefined, title: 'Sign in' },
    html`<h1>Sign in</h1>
      ${failed ? html`<p class="error" role="alert">Sign-in failed.</p>` : ''}
      <form method="post" action="/login" class="login">
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required autofocus />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>`,
  );
}

export function errorPage(ctx: PageContext, status: number, message: string): Html {
  return layout(
    ctx,
    html`<h1>${status}</h1>
      <p class="error" role="alert">${message}</p>
      <p><a href="/">Back to the queue</a></p>`,
  );
}

const score = (s: number) => s.toFixed(3);

function decisionBadge(decision: string): Html {
  return html`<span class="badge ${decision.toLowerCase()}">${decision}</span>`;
}

function topReason(alert: AlertRow): string {
  const top = alert.reasonCodes[0];
  return top ? describeReason(top.feature, top.value, alert.currency) : '';
}

/** The queue's table rows; the live refresh swaps just this fragment. */
export function queueRows(alerts: readonly AlertRow[]): Html {
  if (alerts.length === 0)
    return html`<tr>
      <td colspan="9" class="empty">No alerts match.</td>
    </tr>`;
  return html`${alerts.map(
    (a) =>
      html`<tr data-id="${a.transactionId}" tabindex="-1">
        <td class="num">${formatTime(a.scoredAt)}</td>
        <td><a href="/alerts/${encodeURIComponent(a.transactionId)}">${a.transactionId}</a></td>
        <td>${a.transactionType}</td>
        <td class="num">${formatAmount(a.amountMinor, a.currency)}</td>
        <td class="num">${score(a.score)}</td>
        <td>${decisionBadge(a.decision)}</td>
        <td class="reason" title="${topReason(a)}">${topReason(a)}</td>
        <td>${a.verdict ?? html`<span class="muted">${a.status}</span>`}</td>
        <td class="model" title="${a.modelVersion}">${a.modelVersion}</td>
      </tr>`,
  )}`;
}

const TYPES = ['PAYMENT', 'TRANSFER', 'CASH_OUT', 'CASH_IN', 'DEBIT'];

export interface QueueView {
  filter: QueueFilter;
  sort: QueueSort;
  query: Record<string, string>;
  alerts: AlertRow[];
  nextCursor: string | undefined;
  openCount: { count: number; capped: boolean };
  modelVersions: string[];
}

function option(value: string, label: string, selected: string | undefined): Html {
  return html`<option value="${value}" ${selected === value ? html`selected` : ''}>${label}</option>`;
}

export function queuePage(ctx: PageContext, view: QueueView): Html {
  const q = view.query;
  const next = view.nextCursor
    ? `/?${new URLSearchParams({ ...q, cursor: view.nextCursor }).toString()}`
    : undefined;
  const first = `/?${new URLSearchParams(Object.fromEntries(Object.entries(q).filter(([k]) => k !== 'cursor'))).toString()}`;
  return layout(
    ctx,
    html`<h1>
        Alert queue
        <span class="muted"
          >${formatCount(view.openCount.count)}${view.openCount.capped ? '+' : ''} open</span
        >
      </h1>
      <form method="get" action="/" class="filters" aria-label="Filters">
        <label
          >Status
          <select name="status">
            ${[
              option('open', 'open', q.status ?? 'open'),
              option('unsure', 'unsure', q.status),
              option('closed', 'closed', q.status),
              option('all', 'all', q.status),
            ]}
          </select></label
        >
        <label
          >Decision
          <select name="decision">
            ${[option('', 'any', q.decision ?? ''), option('REVIEW', 'REVIEW', q.decision), option('BLOCK', 'BLOCK', q.decision)]}
          </select></label
        >
        <label
          >Type
          <select name="type">
            ${[option('', 'any', q.type ?? ''), ...TYPES.map((t) => option(t, t, q.type))]}
          </select></label
        >
        <label
          >Model
          <select name="model">
            ${[option('', 'any', q.model ?? ''), ...view.modelVersions.map((m) => option(m, m, q.model))]}
          </select></label
        >
        <label
          >Score
          <input
            name="minScore"
            inputmode="decimal"
            size="5"
            value="${q.minScore ?? ''}"
            aria-label="Minimum score"
        /></label>
        <label
          >to
          <input
            name="maxScore"
            inputmode="decimal"
            size="5"
            value="${q.maxScore ?? ''}"
            aria-label="Maximum score"
        /></label>
        <label
          >Amount
          <input
            name="minAmount"
            inputmode="decimal"
            size="8"
            value="${q.minAmount ?? ''}"
            aria-label="Minimum amount"
        /></label>
        <label
          >to
          <input
            name="maxAmount"
            inputmode="decimal"
            size="8"
            value="${q.maxAmount ?? ''}"
            aria-label="Maximum amount"
        /></label>
        <label
          >From
          <input name="from" type="datetime-local" value="${q.from ?? ''}" aria-label="Alerts from (UTC)"
        /></label>
        <label
          >To <input name="to" type="datetime-local" value="${q.to ?? ''}" aria-label="Alerts to (UTC)"
        /></label>
        <label
          >Sort
          <select name="sort">
            ${[option('newest', 'newest', view.sort), option('score', 'highest score', view.sort)]}
          </select></label
        >
        <button type="submit">Apply</button>
      </form>
      <p class="keys" id="keys">
        Keys: <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>f</kbd> fraud · <kbd>l</kbd> legit
        · <kbd>u</kbd> unsure · <kbd>r</kbd> refresh <span id="live" role="status" aria-live="polite"></span>
      </p>
      <table class="queue" aria-describedby="keys" data-first-page="${q.cursor ? 'false' : 'true'}">
        <thead>
          <tr>
            <th scope="col">Alert time (UTC)</th>
            <th scope="col">Transaction</th>
            <th scope="col">Type</th>
            <th scope="col" class="num">Amount</th>
            <th scope="col" class="num">Score</th>
            <th scope="col">Decision</th>
            <th scope="col">Top reason</th>
            <th scope="col">Verdict</th>
            <th scope="col">Model</th>
          </tr>
        </thead>
        <tbody id="queue-rows">
          ${queueRows(view.alerts)}
        </tbody>
      </table>
      <p class="pager">
        ${q.cursor ? html`<a href="${first}">First page</a>` : ''}
        ${next ? html`<a href="${next}" rel="next">Next page</a>` : ''}
      </p>`,
  );
}

export interface DetailView {
  alert: AlertRow;
  history: HistoryRow[];
  verdicts: VerdictRecord[];
  users: User[];
}

function verdictForm(ctx: PageContext, alert: AlertRow): Html {
  const id = encodeURIComponent(alert.transactionId);
  return html`<form method="post" action="/alerts/${id}/verdict" class="verdict" id="verdict-form">
    <input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ''}" />
    <label for="note">Note</label>
    <input id="note" name="note" maxlength="2000" size="50" />
    <button type="submit" name="verdict" value="fraud" data-key="f" class="fraud">Fraud (f)</button>
    <button type="submit" name="verdict" value="legit" data-key="l">Legit (l)</button>
    <button type="submit" name="verdict" value="unsure" data-key="u">Unsure (u)</button>
  </form>`;
}

function leadForms(ctx: PageContext, view: DetailView): Html {
  if (!ctx.user || ctx.user.role === 'analyst') return html``;
  const id = encodeURIComponent(view.alert.transactionId);
  return html`<div class="lead">
    ${
      view.alert.status !== 'open'
        ? html`<form method="post" action="/alerts/${id}/reopen" class="inline">
            <input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ''}" /><button type="submit">
              Reopen
            </button>
          </form>`
        : ''
    }
    <form method="post" action="/alerts/${id}/assign" class="inline">
      <input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ''}" />
      <label
        >Assign to
        <select name="assignee">
          ${[
            option('', 'nobody', view.alert.assignedTo ?? ''),
            ...view.users
              .filter((u) => !u.disabled)
              .map((u) => option(u.email, u.email, view.alert.assignedTo ?? undefined)),
          ]}
        </select></label
      >
      <button type="submit">Assign</button>
    </form>
  </div>`;
}

export function detailPage(ctx: PageContext, view: DetailView): Html {
  const a = view.alert;
  const maxContribution = Math.max(1e-9, ...a.reasonCodes.map((r) => Math.abs(r.contribution)));
  return layout(
    ctx,
    html`<p><a href="/">← Queue</a></p>
      <h1>
        Alert ${a.transactionId} ${decisionBadge(a.decision)}
        <span class="muted"
          >${a.status}${a.verdict ? html` · verdict ${a.verdict} by ${a.verdictBy}` : ''}</span
        >
      </h1>
      <div class="grid">
        <section aria-labelledby="tx-h">
          <h2 id="tx-h">Transaction</h2>
          <table class="kv">
            <tr>
              <th scope="row">Type</th>
              <td>${a.transactionType}</td>
            </tr>
            <tr>
              <th scope="row">Amount</th>
              <td>${formatAmount(a.amountMinor, a.currency)}</td>
            </tr>
            <tr>
              <th scope="row">From</th>
              <td>${a.originAccountId}</td>
            </tr>
            <tr>
              <th scope="row">To</th>
              <td>${a.destinationAccountId}</td>
            </tr>
            <tr>
              <th scope="row">Event time</th>
              <td>${formatTime(a.eventTime)} UTC</td>
            </tr>
            <tr>
              <th scope="row">Scored at</th>
              <td>${formatTime(a.scoredAt)} UTC</td>
            </tr>
            <tr>
              <th scope="row">Score</th>
              <td>${score(a.score)}</td>
            </tr>
            <tr>
              <th scope="row">Model</th>
              <td>${a.modelVersion}</td>
            </tr>
            <tr>
              <th scope="row">Thresholds</th>
              <td>review ≥ ${score(a.thresholds.review)} · block ≥ ${score(a.thresholds.block)}</td>
            </tr>
            <tr>
              <th scope="row">Assigned to</th>
              <td>${a.assignedTo ?? 'nobody'}</td>
            </tr>
          </table>
        </section>
        <section aria-labelledby="why-h">
          <h2 id="why-h">Why it was flagged</h2>
          ${
            a.reasonCodes.length === 0
              ? html`<p class="muted">The scorer sent no reason codes for this alert.</p>`
              : html`<ol class="reasons">
                  ${a.reasonCodes.map(
                    (r) =>
                      html`<li>
                        <span class="reason-text">${describeReason(r.feature, r.value, a.currency)}</span>
                        <svg class="bar" width="120" height="10" aria-hidden="true">
                          <rect
                            class="${r.contribution >= 0 ? 'up' : 'down'}"
                            width="${Math.max(2, Math.round((120 * Math.abs(r.contribution)) / maxContribution))}"
                            height="10"
                          />
                        </svg>
                        <span class="muted"
                          >${describeContribution(r.contribution)} · ${r.feature} =
                          ${r.value === null ? 'missing' : r.value.toFixed(3)}</span
                        >
                      </li>`,
                  )}
                </ol>`
          }
          <h2>Verdict</h2>
          ${verdictForm(ctx, a)} ${leadForms(ctx, view)}
          ${
            view.verdicts.length > 0
              ? html`<table class="small">
                  <caption>
                    Verdict history
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Who</th>
                      <th scope="col">Verdict</th>
                      <th scope="col">Note</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${view.verdicts.map(
                      (v) =>
                        html`<tr>
                          <td>${formatTime(v.createdAt)}</td>
                          <td>${v.userEmail}</td>
                          <td>${v.verdict}</td>
                          <td>${v.note}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
              : ''
          }
        </section>
      </div>
      <section aria-labelledby="hist-h">
        <h2 id="hist-h">Recent transactions of ${a.originAccountId}</h2>
        <table class="small">
          <thead>
            <tr>
              <th scope="col">Event time</th>
              <th scope="col">Transaction</th>
              <th scope="col">Dir.</th>
              <th scope="col">Counterparty</th>
              <th scope="col">Type</th>
              <th scope="col" class="num">Amount</th>
              <th scope="col" class="num">Score</th>
              <th scope="col">Decision</th>
              <th scope="col">Label</th>
            </tr>
          </thead>
          <tbody>
            ${
              view.history.length === 0
                ? html`<tr>
                    <td colspan="9" class="empty">No decisions stored for this account.</td>
                  </tr>`
                : view.history.map(
                    (h) =>
                      html`<tr class="${h.transactionId === a.transactionId ? 'current' : ''}">
                        <td>${formatTime(h.eventTime)}</td>
                        <td>${h.transactionId}</td>
                        <td>${h.direction}</td>
                        <td>${h.counterparty}</td>
                        <td>${h.transactionType}</td>
                        <td class="num">${formatAmount(h.amountMinor, h.currency)}</td>
                        <td class="num">${score(h.score)}</td>
                        <td>${decisionBadge(h.decision)}</td>
                        <td>${h.label === null ? '' : h.label ? 'fraud' : 'legit'}</td>
                      </tr>`,
                  )
            }
          </tbody>
        </table>
      </section>`,
  );
}

export interface ModelView {
  slots: ModelSlot[];
  registryError: string | undefined;
  stats: LiveModelStats[];
  statsWindowHours: number;
  drift: DriftReading;
}

export function modelPage(ctx: PageContext, view: ModelView): Html {
  const championVersion = view.slots.find((s) => s.role === 'champion')?.version;
  const psi = view.drift.features.filter(
    (f) =>
      !championVersion ||
      f.modelVersion === championVersion ||
      view.drift.features.every((g) => g.modelVersion !== championVersion),
  );
  return layout(
    ctx,
    html`<h1>Model</h1>
      ${view.registryError ? html`<p class="error" role="alert">${view.registryError}</p>` : ''}
      <table>
        <caption>
          Registry
        </caption>
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Version</th>
            <th scope="col">Created</th>
            <th scope="col" class="num">Review ≥</th>
            <th scope="col" class="num">Block ≥</th>
            <th scope="col" class="num">Test PR-AUC</th>
            <th scope="col" class="num">Test precision @review</th>
            <th scope="col" class="num">Test recall @review</th>
          </tr>
        </thead>
        <tbody>
          ${view.slots.map((s) => {
            const m = s.manifest;
            return html`<tr>
              <td>${s.role}</td>
              <td>${s.version}</td>
              ${
                m
                  ? html`<td>${m.created}</td>
                      <td class="num">${score(m.thresholds.review)}</td>
                      <td class="num">${score(m.thresholds.block)}</td>
                      <td class="num">${m.metrics.test.pr_auc.toFixed(3)}</td>
                      <td class="num">${formatRatio(m.metrics.test.review.precision)}</td>
                      <td class="num">${formatRatio(m.metrics.test.review.recall)}</td>`
                  : html`<td colspan="6" class="error">${s.error ?? ''}</td>`
              }
            </tr>`;
          })}
        </tbody>
      </table>
      <table>
        <caption>
          Live, last ${view.statsWindowHours} h (decisions and labels ingested by this console)
        </caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col" class="num">Decisions</th>
            <th scope="col" class="num">Alerts</th>
            <th scope="col" class="num">Alert rate</th>
            <th scope="col" class="num">Verdicts fraud / legit</th>
            <th scope="col" class="num">Precision (verdicts)</th>
            <th scope="col" class="num">Recall (labels)</th>
          </tr>
        </thead>
        <tbody>
          ${
            view.stats.length === 0
              ? html`<tr>
                  <td colspan="7" class="empty">No decisions in the window.</td>
                </tr>`
              : view.stats.map(
                  (s) =>
                    html`<tr>
                      <td>${s.modelVersion}</td>
                      <td class="num">${formatCount(s.decisions)}</td>
                      <td class="num">${formatCount(s.flagged)}</td>
                      <td class="num">${formatRatio(s.alertRate)}</td>
                      <td class="num">${s.verdictFraud} / ${s.verdictLegit}</td>
                      <td class="num">${formatRatio(s.precisionFromVerdicts)}</td>
                      <td class="num">
                        ${formatRatio(s.recallFromLabels)}
                        <span class="muted">(${s.flaggedFraud} of ${s.labelledFraud})</span>
                      </td>
                    </tr>`,
                )
          }
        </tbody>
      </table>
      <section aria-labelledby="drift-h">
        <h2 id="drift-h">
          Drift: PSI per feature${championVersion ? html` (champion ${championVersion})` : ''}
        </h2>
        <p class="muted">
          Source: ${view.drift.source}.
          ${view.drift.scorePsi.map((s) => html`Score PSI ${s.modelVersion}: ${s.psi.toFixed(3)}. `)} PSI &lt;
          0.1 stable, 0.1–0.25 watch, &gt; 0.25 shifted.
        </p>
        ${view.drift.errors.map((e) => html`<p class="muted">Not reachable: ${e}</p>`)}
        ${psi.length > 0 ? psiChart(psi) : html`<p class="muted">No PSI published yet (a scorer publishes it after 500 transactions).</p>`}
      </section>`,
  );
}

export function usersPage(ctx: PageContext, users: User[], message?: string): Html {
  return layout(
    ctx,
    html`<h1>Users</h1>
      ${message ? html`<p role="status">${message}</p>` : ''}
      <table>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          ${users.map(
            (u) =>
              html`<tr>
                <td>${u.email}</td>
                <td>${u.role}</td>
                <td>${u.disabled ? 'disabled' : 'active'}</td>
                <td>
                  <form
                    method="post"
                    action="/admin/users/${u.id}/${u.disabled ? 'enable' : 'disable'}"
                    class="inline"
                  >
                    <input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ''}" />
                    <button type="submit" ${u.email === ctx.user?.email ? html`disabled` : ''}>
                      ${u.disabled ? 'Enable' : 'Disable'}
                    </button>
                  </form>
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
      <h2>Add a user</h2>
      <form method="post" action="/admin/users" class="login">
        <input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ''}" />
        <label for="new-email">Email</label><input id="new-email" name="email" type="email" required />
        <label for="new-password">Password (12+ characters)</label
        ><input
          id="new-password"
          name="password"
          type="password"
          minlength="12"
          required
          autocomplete="new-password"
        />
        <label for="new-role">Role</label
        ><select id="new-role" name="role">
          ${[option('analyst', 'analyst', 'analyst'), option('lead', 'lead', undefined), option('admin', 'admin', undefined)]}
        </select>
        <button type="submit">Add user</button>
      </form>`,
  );
}

export function auditPage(ctx: PageContext, entries: AuditEntry[]): Html {
  return layout(
    ctx,
    html`<h1>Audit log</h1>
      <table class="small">
        <thead>
          <tr>
            <th scope="col">When (UTC)</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          ${entries.map(
            (e) =>
              html`<tr>
                <td>${formatTime(Number(e.at))}</td>
                <td>${e.actor}</td>
                <td>${e.action}</td>
                <td>${e.target}</td>
                <td><code>${e.detail}</code></td>
              </tr>`,
          )}
        </tbody>
      </table>`,
  );
}
