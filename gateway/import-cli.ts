/**
 * `store-gateway import-receipts --device ID FILE`: a till's end-of-day receipts file into the
 * running gateway. The file is read here with the device's `import` mapping from the config
 * (gateway/pipeline/ingest/receipt-file.ts), so a malformed file is refused before anything is sent,
 * with every bad row listed; the receipts then go to the gateway's own POS endpoint
 * (`POST /api/v1/ingest/pos/{device}`, HTTP Basic as the device) in batches of ≤ 500, where
 * they are validated and journaled exactly like a till's live receipts. Receipt ids are
 * stable, so running it again (also after an interruption) adds nothing twice.
 *
 * The device password comes from --password-stdin or GW_DEVICE_PASSWORD (not argv: shell
 * history). Exit codes: 0 imported (refused receipts are listed on stderr), 1 usage, config
 * or a malformed file, 3 the gateway could not be reached or did not store the receipts.
 */
import { readFileSync } from 'node:fs';
import type { GatewayConfig } from './infra/config/index.js';
import { MAX_RECEIPTS_PER_REQUEST, type ReceiptBatchOutcome } from './pipeline/ingest/pos-receipts.js';
import { decodeCsvBytes, parseReceiptsCsv } from './pipeline/ingest/receipt-file.js';

export const IMPORT_USAGE = `  import-receipts --device ID FILE [--url URL] [--password-stdin] [--config FILE]
                                   send a till's end-of-day receipts CSV to the running gateway
                                   (password of devices.ID: stdin or GW_DEVICE_PASSWORD)`;

/** Stay well under the endpoint's 4 MiB body limit. */
const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

export interface ImportOptions {
  readonly device: string | undefined;
  readonly file: string | undefined;
  readonly url: string | undefined;
  readonly password: string | undefined;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
}

export async function importReceiptsCommand(config: GatewayConfig, options: ImportOptions): Promise<number> {
  const out = options.out ?? ((line: string) => console.log(line));
  const err = options.err ?? ((line: string) => console.error(line));
  const { device, file } = options;
  if (!device || !file) {
    err(`usage:\n${IMPORT_USAGE}`);
    return 1;
  }
  const cfg = Object.hasOwn(config.devices, device) ? config.devices[device] : undefined;
  if (cfg?.kind !== 'pos') {
    err(`import-receipts: ${device} is not a POS device in the config`);
    return 1;
  }
  if (!cfg.import) {
    err(`import-receipts: devices.${device}.import is missing: map the file's columns first (devices/README.md)`);
    return 1;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    err(`import-receipts: cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  if (bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) {
    err(`import-receipts: ${file} is an XLSX workbook: save it as CSV (UTF-8) and import that`);
    return 1;
  }
  const parsed = parseReceiptsCsv(decodeCsvBytes(bytes), cfg.import, {
    timeZone: config.store.timezone,
    currency: config.store.currency,
  });
  if (!parsed.ok) {
    err(`import-receipts: ${file}: nothing imported`);
    for (const e of parsed.errors) err(e.row > 0 ? `  row ${e.row}: ${e.reason}` : `  ${e.reason}`);
    return 1;
  }
  if (cfg.username !== undefined && options.password === undefined) {
    err(`import-receipts: give the password of ${device} with --password-stdin or GW_DEVICE_PASSWORD`);
    return 1;
  }

  const scheme = config.http.tls ? 'https' : 'http';
  const base = (options.url ?? `${scheme}://127.0.0.1:${config.http.port}`).replace(/\/+$/, '');
  const endpoint = `${base}/api/v1/ingest/pos/${encodeURIComponent(device)}`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (cfg.username !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${cfg.username}:${options.password ?? ''}`).toString('base64')}`;
  }
  const totals = { accepted: 0, duplicates: 0, rejected: 0 };
  for (const batch of batches(parsed.receipts)) {
    let res: Response;
    try {
      res = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(batch) });
    } catch (e) {
      err(`import-receipts: cannot reach the gateway at ${base} (${(e as Error).message}); is it running? (--url)`);
      return 3;
    }
    if (res.status !== 200) {
      const text = await res.text();
      err(`import-receipts: the gateway answered ${res.status}: ${text.slice(0, 500)}`);
      return res.status === 401 ? 1 : 3;
    }
    const outcome = (await res.json()) as ReceiptBatchOutcome;
    totals.accepted += outcome.accepted;
    totals.duplicates += outcome.duplicates;
    totals.rejected += outcome.rejected;
    for (const r of outcome.results) {
      if (r.status === 'rejected') err(`  receipt ${r.receipt ?? r.id ?? r.index}: rejected (${r.code}): ${r.reason}`);
    }
  }
  out(
    `${file}: ${parsed.rows} rows, ${parsed.receipts.length} receipts: ${totals.accepted} imported, ` +
      `${totals.duplicates} already there, ${totals.rejected} rejected`,
  );
  return 0;
}

/** Receipts in request-sized groups: ≤ 500 and ≤ MAX_REQUEST_BYTES of JSON each. */
function* batches<T>(items: readonly T[]): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 2;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (batch.length > 0 && (batch.length >= MAX_RECEIPTS_PER_REQUEST || bytes + size > MAX_REQUEST_BYTES)) {
      yield batch;
      batch = [];
      bytes = 2;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
