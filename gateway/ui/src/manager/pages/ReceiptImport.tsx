/**
 * Managers: upload a till's end-of-day receipts CSV (POST /api/v1/import/receipts). A file the
 * gateway refuses imports nothing; its bad rows are listed with the gateway's reason (it
 * quotes the file's own column names, so it is shown as written).
 */
import { useState } from 'preact/hooks';
import { Data } from '../../components/Figures.js';
import { t } from '../../i18n/index.js';
import { ApiError, api, query } from '../../lib/api.js';
import { useApp } from '../../lib/context.js';
import { errorText } from '../../lib/errors.js';

interface ImportResult {
  readonly rows: number;
  readonly receipts: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly rejections: readonly { receipt?: string; kind?: string; code?: string; reason?: string }[];
}

interface RowError {
  readonly row: number;
  readonly reason: string;
}

type Outcome =
  | { readonly kind: 'done'; readonly result: ImportResult }
  | { readonly kind: 'invalid'; readonly rows: readonly RowError[] }
  | { readonly kind: 'error'; readonly text: string };

export function ReceiptImport({ tills }: { readonly tills: readonly string[] }) {
  const { formats } = useApp();
  const [device, setDevice] = useState(tills[0] ?? '');
  const [file, setFile] = useState<File | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!file || !device) return;
    setBusy(true);
    setOutcome(undefined);
    try {
      const result = await api.upload<ImportResult>(`/import/receipts${query({ device })}`, file, 'text/csv');
      setOutcome({ kind: 'done', result });
    } catch (err) {
      const rows = err instanceof ApiError && err.code === 'IMPORT_INVALID' ? err.detail.rows : undefined;
      setOutcome(
        Array.isArray(rows) ? { kind: 'invalid', rows: rows as RowError[] } : { kind: 'error', text: errorText(err) },
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="import-title">
      <h2 id="import-title">{t('import.title')}</h2>
      <p class="muted">{t('import.hint')}</p>
      <form class="inline-form" onSubmit={submit} aria-label={t('import.title')} data-form="receipt-import">
        <label>
          {t('import.device')}
          <select name="device" value={device} onChange={(e) => setDevice(e.currentTarget.value)}>
            {tills.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('import.file')}
          <input
            type="file"
            name="file"
            required
            accept=".csv,text/csv"
            onChange={(e) => setFile(e.currentTarget.files?.[0])}
          />
        </label>
        <button type="submit" class="primary" disabled={busy || !file}>
          {busy ? t('import.busy') : t('import.submit')}
        </button>
      </form>
      {outcome?.kind === 'done' && (
        <div role="status" data-import="done">
          <p class="ok">
            {t('import.done', {
              rows: formats.int(outcome.result.rows),
              receipts: formats.int(outcome.result.receipts),
              accepted: formats.int(outcome.result.accepted),
              duplicates: formats.int(outcome.result.duplicates),
              rejected: formats.int(outcome.result.rejected),
            })}
          </p>
          {outcome.result.rejections.length > 0 && (
            <ul class="warn">
              {outcome.result.rejections.map((r) => (
                <li key={`${r.kind}:${r.receipt}`} data-receipt={r.receipt}>
                  {t('import.rejectedReceipt', { receipt: r.receipt ?? '—' })} <Data>{r.reason ?? r.code ?? ''}</Data>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {outcome?.kind === 'invalid' && (
        <div role="alert" data-import="invalid">
          <p class="error">{t('import.invalid')}</p>
          <ul>
            {outcome.rows.map((r) => (
              <li key={`${r.row}:${r.reason}`} data-row={r.row}>
                {r.row > 0 ? t('import.row', { row: r.row }) : t('import.wholeFile')} <Data>{r.reason}</Data>
              </li>
            ))}
          </ul>
        </div>
      )}
      {outcome?.kind === 'error' && (
        <p role="alert" class="error">
          {outcome.text}
        </p>
      )}
    </section>
  );
}
