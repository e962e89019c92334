/**
 * POS receipts over HTTP, for tills that cannot publish MQTT (DESIGN "Foreign formats"):
 *
 * - `POST /ingest/pos/{device}`: the till posts `pos.receipt` messages (one, or an array of up
 *   to 500) with HTTP Basic as the device (gateway/read/api/device-auth.ts, checked before the body
 *   is read). Each receipt is validated like an MQTT one; the good ones are journaled, the bad
 *   ones go to the `rejected` table; the answer (200, per-receipt results) comes once all of
 *   it is committed. A body that is not such a batch is refused as a whole (400, recorded).
 * - `POST /import/receipts?device=…`: a manager uploads a till's end-of-day receipts file (CSV,
 *   the device's `import` column mapping). A file with structural errors imports nothing and
 *   the answer lists the bad rows; receipts that break the receipt rules are rejected and
 *   reported, the rest import (gateway/pipeline/ingest/receipt-file.ts).
 */
import type { FastifyInstance } from 'fastify';
import { typed } from '../../../common/typed-routes.js';
import { DeviceParams, ReceiptImportQuery } from '../../../protocols/http-api.js';
import type { Clock } from '../../infra/clock/index.js';
import type { GatewayConfig } from '../../infra/config/index.js';
import type { Ingest } from '../../pipeline/ingest/index.js';
import { StorageError } from '../../pipeline/ingest/index.js';
import { ingestReceipts, parseReceiptBody, type ReceiptBatchOutcome } from '../../pipeline/ingest/pos-receipts.js';
import { decodeCsvBytes, type FileRowError, parseReceiptsCsv } from '../../pipeline/ingest/receipt-file.js';
import { type DeviceAuthSecurity, deviceAuthHook } from './device-auth.js';
import { BadRequestError, HttpError, NotFoundError } from './errors.js';

/** Largest POS request body: 500 receipts of a few dozen lines fit with room to spare. */
export const POS_BODY_LIMIT = 4 * 1024 * 1024;
/** Largest receipts file. */
export const RECEIPT_FILE_LIMIT = 16 * 1024 * 1024;

export interface PosRouteDeps {
  readonly config: GatewayConfig;
  readonly ingest: Ingest;
  readonly clock: Clock;
  readonly security: DeviceAuthSecurity;
}

/** A file the import refuses as a whole: 400 with the bad rows. */
export class ReceiptFileError extends HttpError {
  override readonly name = 'ReceiptFileError';
  constructor(readonly rows: readonly FileRowError[]) {
    super(
      400,
      'IMPORT_INVALID',
      `nothing imported: ${rows
        .slice(0, 5)
        .map((r) => (r.row > 0 ? `row ${r.row}: ${r.reason}` : r.reason))
        .join('; ')}${rows.length > 5 ? `; and ${rows.length - 5} more` : ''}`,
    );
  }
}

export function posRoutes(deps: PosRouteDeps) {
  const { config, ingest, clock } = deps;
  const posOf = (device: string) => {
    const cfg = Object.hasOwn(config.devices, device) ? config.devices[device] : undefined;
    if (cfg?.kind !== 'pos') throw new NotFoundError(`no POS device ${device} in the config`);
    return cfg;
  };
  const stored = async (run: () => Promise<ReceiptBatchOutcome>): Promise<ReceiptBatchOutcome> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof StorageError) throw new HttpError(503, 'STORE_FAILED', 'not stored; send it again');
      throw err;
    }
  };

  return (app: FastifyInstance) =>
    app.register(async (untyped) => {
      const scoped = typed(untyped);
      scoped.removeAllContentTypeParsers();
      scoped.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: RECEIPT_FILE_LIMIT }, (_req, body, done) =>
        done(null, body),
      );

      scoped.post(
        '/ingest/pos/:device',
        {
          schema: { params: DeviceParams },
          onRequest: deviceAuthHook(config, deps.security, posOf),
          bodyLimit: POS_BODY_LIMIT,
        },
        async (request, reply) => {
          const { device } = request.params;
          posOf(device);
          const rxTs = clock.now();
          const source = `http:pos/${device}`;
          const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
          const parsed = parseReceiptBody(body);
          if (!parsed.ok) {
            await new Promise<void>((resolve) =>
              ingest.reject({ device, source, code: parsed.code, reason: parsed.reason, raw: body, rxTs }, () =>
                resolve(),
              ),
            );
            throw new BadRequestError(parsed.reason, parsed.code.toUpperCase().replaceAll('-', '_'));
          }
          const outcome = await stored(() => ingestReceipts(ingest, config, device, parsed.items, { source, rxTs }));
          return reply.status(200).send(outcome);
        },
      );

      const importOptions = { schema: { querystring: ReceiptImportQuery }, bodyLimit: RECEIPT_FILE_LIMIT };
      scoped.post('/import/receipts', importOptions, async (request) => {
        const { device } = request.query;
        if (device === undefined || device === '') throw new BadRequestError('device is required (?device=…)');
        const cfg = posOf(device);
        if (!cfg.import) {
          throw new BadRequestError(`device ${device} has no import mapping (devices.${device}.import)`, 'NO_MAPPING');
        }
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        if (body.length === 0) throw new ReceiptFileError([{ row: 0, reason: 'the file is empty' }]);
        if (isZip(body)) {
          throw new ReceiptFileError([
            { row: 0, reason: 'this is an XLSX workbook: save it as CSV (UTF-8) and import that' },
          ]);
        }
        const file = parseReceiptsCsv(decodeCsvBytes(body), cfg.import, {
          timeZone: config.store.timezone,
          currency: config.store.currency,
        });
        if (!file.ok) throw new ReceiptFileError(file.errors);
        const rxTs = clock.now();
        const outcome = await stored(() =>
          ingestReceipts(ingest, config, device, file.receipts, { source: `import:${device}`, rxTs }),
        );
        return {
          device,
          rows: file.rows,
          receipts: file.receipts.length,
          accepted: outcome.accepted,
          duplicates: outcome.duplicates,
          rejected: outcome.rejected,
          rejections: outcome.results
            .filter((r) => r.status === 'rejected')
            .map((r) => ({ receipt: r.receipt, kind: file.receipts[r.index]?.kind, code: r.code, reason: r.reason })),
        };
      });

      // Row errors ride along with the usual {error: {code, message}}.
      scoped.setErrorHandler((err, _request, reply) => {
        if (err instanceof ReceiptFileError) {
          return reply.status(400).send({ error: { code: err.code, message: err.message, rows: err.rows } });
        }
        throw err;
      });
    });
}

/** A ZIP container (XLSX and other Office files start with `PK\x03\x04`). */
function isZip(body: Buffer): boolean {
  return body.length >= 4 && body[0] === 0x50 && body[1] === 0x4b && body[2] === 0x03 && body[3] === 0x04;
}
