/**
 * HTTP pieces the store's API and HQ's API share: the error classes rendered as
 * `{error: {code, message}}` (4xx for bad input; nothing else, no stack or internals,
 * reaches a client) and the query-string parsing of from/to/granularity/limit.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { GRANULARITIES, type Granularity } from './calendar.js';

export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class BadRequestError extends HttpError {
  override readonly name = 'BadRequestError';
  constructor(message: string, code = 'BAD_REQUEST') {
    super(400, code, message);
  }
}

export class NotFoundError extends HttpError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super(404, 'NOT_FOUND', message);
  }
}

/** Renders every error as `{error: {code, message}}`; a 500 is logged under `component` and says only "internal error". */
export function installErrorHandling(app: FastifyInstance, component = 'api'): void {
  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) {
      return reply.status(err.statusCode).send({ error: { code: err.code, message: err.message } });
    }
    if (err.validation) {
      return reply.status(400).send({ error: { code: 'VALIDATION', message: err.message } });
    }
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) request.log.error({ err, component }, 'request failed');
    const code = status === 500 ? 'INTERNAL' : (err.code ?? 'BAD_REQUEST');
    const message = status === 500 ? 'internal error' : err.message;
    return reply.status(status).send({ error: { code, message } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` } }),
  );
}

// --- query strings: validate, then trust the type ------------------------------------

export interface LocalDays {
  /** Start of the local day 'YYYY-MM-DD' as epoch ms (NaN when not a date). */
  startOfLocalDay(day: string): number;
  /** Start of the local day holding ts. */
  dayStart(ts: number): number;
  /** Start of the next local day after the one starting at dayStart (23–25 h later). */
  nextDayStart(dayStart: number): number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** An instant from an RFC 3339 time or a local day (its start). */
export function parseInstant(value: string, name: string, days: LocalDays): number {
  if (DAY.test(value)) {
    const ts = days.startOfLocalDay(value);
    if (Number.isFinite(ts)) return ts;
  } else if (RFC3339.test(value)) {
    const ts = Date.parse(value);
    if (Number.isFinite(ts)) return ts;
  }
  throw new BadRequestError(`${name} must be an RFC 3339 time or a YYYY-MM-DD day, got ${JSON.stringify(value)}`);
}

/**
 * from/to with defaults: `from` defaults to the start of today (local), `to` to the end of
 * the day holding `from`. A `to` given as a day means the end of that day.
 */
export function parseRange(
  query: { from?: unknown; to?: unknown },
  now: number,
  days: LocalDays,
): { from: number; to: number } {
  const fromText = optionalString(query.from, 'from');
  const toText = optionalString(query.to, 'to');
  const from = fromText === undefined ? days.dayStart(now) : parseInstant(fromText, 'from', days);
  let to: number;
  if (toText === undefined) to = days.nextDayStart(days.dayStart(from));
  else if (DAY.test(toText)) to = days.nextDayStart(parseInstant(toText, 'to', days));
  else to = parseInstant(toText, 'to', days);
  if (to <= from) throw new BadRequestError('to must be after from');
  return { from, to };
}

export function parseGranularity(value: unknown, fallback: Granularity = '15m'): Granularity {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (GRANULARITIES as readonly string[]).includes(value)) return value as Granularity;
  throw new BadRequestError(`granularity must be one of ${GRANULARITIES.join(', ')}`);
}

export function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new BadRequestError(`${name} must be given once`);
  return value;
}

export function parseLimit(value: unknown, fallback: number, max: number): number {
  const text = optionalString(value, 'limit');
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new BadRequestError(`limit must be an integer from 1 to ${max}`);
  return n;
}
