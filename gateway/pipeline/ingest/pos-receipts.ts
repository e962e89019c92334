/**
 * Receipts that reach the gateway over HTTP (a till's `POST /api/v1/ingest/pos/{device}`, or
 * an end-of-day file import): each one is validated like an MQTT `pos.receipt` (the contract's
 * schema, the time policy, checkReceipt), the good ones are journaled through ingest, the bad
 * ones go to the `rejected` table, and the caller learns what became of every receipt once all
 * of it is durable.
 *
 * The journal's dedupe key is (device, receipt `id`), so a resent receipt is a `duplicate`;
 * correlation also counts a (till, receipt number, kind) once (gateway/pipeline/correlate/sales.ts).
 */
import { decodeMessage, type RejectCode, reject, utf8Text } from '../../../protocols/index.js';
import type { GatewayConfig } from '../../infra/config/index.js';
import type { InputOutcome } from './group-commit.js';
import { StorageError } from './group-commit.js';
import type { Ingest } from './ingest.js';
import { receiptEvent, stampTime } from './mqtt-decode.js';

/** Most receipts one request may carry. */
export const MAX_RECEIPTS_PER_REQUEST = 500;

export type ReceiptStatus = 'accepted' | 'duplicate' | 'rejected';

export interface ReceiptResult {
  /** Position in the request (0-based). */
  readonly index: number;
  readonly id?: string;
  readonly receipt?: string;
  readonly status: ReceiptStatus;
  readonly code?: RejectCode;
  readonly reason?: string;
}

export interface ReceiptBatchOutcome {
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly results: readonly ReceiptResult[];
}

export interface ReceiptBatchOptions {
  /** Names the input in the rejected table and logs (`http:pos/pos-1`, `import:pos-1`). */
  readonly source: string;
  /** Gateway receive time. */
  readonly rxTs: number;
}

/**
 * Journals `items` (each meant to be one `pos.receipt` message) for `device`, a configured
 * `kind: pos` device. Resolves once every receipt, good or bad, is committed; rejects with a
 * StorageError when the journal could not commit (nothing is acknowledged then).
 */
export async function ingestReceipts(
  ingest: Ingest,
  config: GatewayConfig,
  device: string,
  items: readonly unknown[],
  options: ReceiptBatchOptions,
): Promise<ReceiptBatchOutcome> {
  const deviceConfig = Object.hasOwn(config.devices, device) ? config.devices[device] : undefined;
  if (deviceConfig?.kind !== 'pos') throw new Error(`${device} is not a configured POS device`);
  const untrusted = deviceConfig.clock === 'untrusted';
  const { rxTs, source } = options;
  const pending: Promise<ReceiptResult>[] = [];

  for (const [index, item] of items.entries()) {
    const raw = Buffer.from(JSON.stringify(item) ?? 'null');
    const named = namesOf(item);
    const refuse = (code: RejectCode, reason: string): void => {
      pending.push(
        committed((done) => ingest.reject({ device, source, code, reason, raw, rxTs }, done)).then(() => ({
          index,
          ...named,
          status: 'rejected',
          code,
          reason,
        })),
      );
    };
    const decoded = decodeMessage(utf8Text(raw));
    if (!decoded.ok) {
      refuse(decoded.code, decoded.reason);
      continue;
    }
    const msg = decoded.value;
    if (msg.type !== 'pos.receipt') {
      refuse('wrong-kind', `a POS sends pos.receipt, not ${msg.type}`);
      continue;
    }
    const stamped = stampTime(Date.parse(msg.ts), rxTs, config.correlation, untrusted);
    if (!stamped.ok) {
      refuse(stamped.code, stamped.reason);
      continue;
    }
    const events = receiptEvent(device, msg, stamped.value.ts, rxTs, stamped.value.flags, config.store.currency);
    if (!events.ok) {
      refuse(events.code, events.reason);
      continue;
    }
    pending.push(
      committed((done) => ingest.fromDriver(device, events.value, done)).then((outcome) => ({
        index,
        ...named,
        status: outcome.fresh > 0 ? 'accepted' : 'duplicate',
      })),
    );
  }

  const results = await Promise.all(pending);
  results.sort((a, b) => a.index - b.index);
  const count = (status: ReceiptStatus) => results.filter((r) => r.status === status).length;
  return { accepted: count('accepted'), duplicates: count('duplicate'), rejected: count('rejected'), results };
}

/**
 * Parses a request body into receipts: one receipt object or an array of up to
 * MAX_RECEIPTS_PER_REQUEST. A body that is no such thing is refused as a whole.
 */
export function parseReceiptBody(body: Uint8Array): { ok: true; items: unknown[] } | ReturnType<typeof reject> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Text(body));
  } catch (err) {
    return reject('malformed-json', `body is not JSON: ${(err as Error).message}`);
  }
  if (Array.isArray(parsed)) {
    if (parsed.length > MAX_RECEIPTS_PER_REQUEST) {
      return reject('too-large', `${parsed.length} receipts in one request; at most ${MAX_RECEIPTS_PER_REQUEST}`);
    }
    return { ok: true, items: parsed };
  }
  if (typeof parsed === 'object' && parsed !== null) return { ok: true, items: [parsed] };
  return reject('schema', 'body must be a pos.receipt object or an array of them');
}

/** The id and receipt number of an item, when it has them, to name it in the answer. */
function namesOf(item: unknown): { id?: string; receipt?: string } {
  if (typeof item !== 'object' || item === null) return {};
  const { id, receipt } = item as { id?: unknown; receipt?: unknown };
  return {
    ...(typeof id === 'string' ? { id: id.slice(0, 128) } : {}),
    ...(typeof receipt === 'string' ? { receipt: receipt.slice(0, 64) } : {}),
  };
}

function committed(start: (done: (err?: Error, outcome?: InputOutcome) => void) => void): Promise<InputOutcome> {
  return new Promise((resolve, rejectPromise) => {
    start((err, outcome) => {
      if (err)
        rejectPromise(err instanceof StorageError ? err : new StorageError('journal commit failed', { cause: err }));
      else resolve(outcome ?? { fresh: 0 });
    });
  });
}
