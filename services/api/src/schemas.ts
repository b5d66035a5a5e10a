/**
 * JSON Schemas of the HTTP contract. Fastify validates requests and serializes responses with
 * them, and @fastify/swagger publishes them as the OpenAPI 3.1 document at /docs/json. The
 * Transaction fields are the Avro contract's (schemas/transaction.avsc), camelCase as in the
 * generated types of @fraud/contracts; rules Avro cannot express (future event times, currency
 * codes) are checked by the same validateTransaction the stream uses.
 */
import { DecisionValues, TransactionTypeValues } from '@fraud/contracts';
import { ALWAYS_PRESENT_FIELDS } from '@fraud/model';

const MAX_ID_LENGTH = 128;

const id = (description: string) =>
  ({ type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH, description }) as const;
const optionalText = (description: string) =>
  ({ type: ['string', 'null'], maxLength: MAX_ID_LENGTH, default: null, description }) as const;
const optionalBalance = (description: string) =>
  ({ type: ['integer', 'null'], default: null, description }) as const;

export const transactionSchema = {
  $id: 'Transaction',
  type: 'object',
  description: 'A payment, as on the payments.transactions topic (schemas/transaction.avsc).',
  additionalProperties: false,
  // The Avro schema's non-null fields: one list, so the API and the stream require the same.
  required: [...ALWAYS_PRESENT_FIELDS],
  properties: {
    transactionId: id('Globally unique; the idempotency key: a repeat returns the first answer.'),
    eventTime: {
      type: 'integer',
      minimum: 1,
      description: 'When the payment happened, ms since the epoch; at most the allowed skew in the future.',
    },
    type: { type: 'string', enum: [...TransactionTypeValues] },
    amountMinor: { type: 'integer', minimum: 1, description: 'Amount in minor units (cents), > 0.' },
    currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. USD.' },
    originAccountId: id('The paying account.'),
    destinationAccountId: id('The receiving account.'),
    channel: optionalText('e.g. MOBILE_APP, WEB, AGENT, ATM, POS, API.'),
    deviceId: optionalText('The device the payment came from.'),
    countryCode: optionalText('ISO 3166-1 alpha-2 of where the payment was made.'),
    merchantCategory: optionalText('ISO 18245 merchant category code.'),
    originBalanceBeforeMinor: optionalBalance('Origin ledger balance before the payment; null = unknown.'),
    originBalanceAfterMinor: optionalBalance('Origin ledger balance after the payment; null = unknown.'),
    destinationBalanceBeforeMinor: optionalBalance('Destination balance before; null = unknown.'),
    destinationBalanceAfterMinor: optionalBalance('Destination balance after; null = unknown.'),
  },
} as const;

const thresholdsSchema = {
  type: 'object',
  description: 'score >= block -> BLOCK; score >= review -> REVIEW; else ALLOW.',
  required: ['review', 'block'],
  properties: { review: { type: 'number' }, block: { type: 'number' } },
} as const;

export const scoreResponseSchema = {
  $id: 'ScoreResponse',
  type: 'object',
  description: 'The decision the stream reaches for the same transaction (fraud.decisions).',
  required: ['transactionId', 'decision', 'score', 'reasons', 'modelVersion', 'thresholds', 'latencyMs'],
  properties: {
    transactionId: { type: 'string' },
    decision: { type: 'string', enum: [...DecisionValues] },
    score: {
      type: ['number', 'null'],
      description:
        "The champion model's fraud probability, 0..1 (null: the model could not score; decision REVIEW).",
    },
    reasons: {
      type: 'array',
      description: 'Top features behind the score (TreeSHAP, log-odds units); empty for ALLOW.',
      items: {
        type: 'object',
        required: ['feature', 'value', 'contribution'],
        properties: {
          feature: { type: 'string' },
          value: { type: ['number', 'null'], description: 'The feature value; null = missing.' },
          contribution: { type: 'number' },
        },
      },
    },
    modelVersion: { type: 'string' },
    thresholds: thresholdsSchema,
    latencyMs: { type: 'number', description: 'Time spent in the API, ms.' },
  },
} as const;

export const errorResponseSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: {
      type: 'string',
      description:
        'bad_request, unauthorized, unsupported_media_type, payload_too_large, overloaded, feature_store_unavailable, model_unavailable, deadline_exceeded, shutting_down, internal.',
    },
    message: { type: 'string' },
    field: { type: 'string', description: 'The request field that is wrong (400 only).' },
  },
} as const;

const check = {
  type: 'object',
  required: ['ok'],
  properties: { ok: { type: 'boolean' }, detail: { type: 'string' } },
} as const;

export const readinessSchema = {
  $id: 'Readiness',
  type: 'object',
  required: ['ready', 'checks'],
  properties: {
    ready: { type: 'boolean' },
    checks: { type: 'object', properties: { redis: check, model: check }, additionalProperties: check },
  },
} as const;
