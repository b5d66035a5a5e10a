/** Request validation (zod): every 400 names the field that is wrong. */
import { z } from 'zod';
import type { QueueFilter, QueueSort } from '../store/alerts.ts';

export class BadRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new BadRequestError(issue.path.length > 0 ? issue.path.join('.') : 'body', issue.message);
}

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalNumber = (min: number, max: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ message: 'must be a number' })
      .min(min, `must be >= ${min}`)
      .max(max, `must be <= ${max}`)
      .optional(),
  );
/** `datetime-local` values carry no zone: the console's times are UTC everywhere. */
const optionalTime = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .transform((v, ctx) => {
      const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
      if (Number.isNaN(ms)) {
        ctx.addIssue({ code: 'custom', message: 'must be a time like 2026-11-29T18:00' });
        return z.NEVER;
      }
      return ms;
    })
    .optional(),
);

export const queueQuerySchema = z.object({
  status: z.preprocess(emptyAsUndefined, z.enum(['open', 'closed', 'unsure', 'all']).default('open')),
  decision: z.preprocess(emptyAsUndefined, z.enum(['REVIEW', 'BLOCK']).optional()),
  type: z.preprocess(
    emptyAsUndefined,
    z.enum(['PAYMENT', 'TRANSFER', 'CASH_OUT', 'CASH_IN', 'DEBIT']).optional(),
  ),
  model: z.preprocess(emptyAsUndefined, z.string().max(200).optional()),
  minScore: optionalNumber(0, 1),
  maxScore: optionalNumber(0, 1),
  /** Major units (what the analyst reads); stored as minor units. */
  minAmount: optionalNumber(0, 1e13),
  maxAmount: optionalNumber(0, 1e13),
  from: optionalTime,
  to: optionalTime,
  assignedTo: z.preprocess(emptyAsUndefined, z.string().max(320).optional()),
  sort: z.preprocess(emptyAsUndefined, z.enum(['newest', 'score']).default('newest')),
  cursor: z.preprocess(emptyAsUndefined, z.string().max(500).optional()),
  limit: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ message: 'must be a number' })
      .int('must be an integer')
      .min(1, 'must be >= 1')
      .max(500, 'must be <= 500')
      .optional(),
  ),
});

export type QueueQuery = z.infer<typeof queueQuerySchema>;

export function toFilter(q: QueueQuery): { filter: QueueFilter; sort: QueueSort } {
  return {
    filter: {
      status: q.status,
      decision: q.decision,
      type: q.type,
      modelVersion: q.model,
      minScore: q.minScore,
      maxScore: q.maxScore,
      minAmountMinor: q.minAmount === undefined ? undefined : Math.round(q.minAmount * 100),
      maxAmountMinor: q.maxAmount === undefined ? undefined : Math.round(q.maxAmount * 100),
      from: q.from,
      to: q.to,
      assignedTo: q.assignedTo,
    },
    sort: q.sort,
  };
}

export const verdictBodySchema = z.object({
  verdict: z.enum(['fraud', 'legit', 'unsure'], { message: 'must be "fraud", "legit" or "unsure"' }),
  note: z.string({ message: 'must be a string' }).max(2000, 'must be at most 2000 characters').default(''),
});

export const loginBodySchema = z.object({
  email: z.string().max(320),
  password: z.string().max(1000),
});

export const newUserSchema = z.object({
  email: z.email({ message: 'must be an email address' }).max(320),
  password: z.string().min(12, 'must be at least 12 characters').max(1000),
  role: z.enum(['analyst', 'lead', 'admin']),
});

export const assignSchema = z.object({ assignee: z.string().max(320).default('') });
