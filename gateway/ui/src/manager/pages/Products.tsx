/** Products tried but not bought, ranked, with how often customers swapped sizes (a fit signal). */
import { useState } from 'preact/hooks';
import { Data, NumCell } from '../../components/Figures.js';
import { ErrorBox, Loading } from '../../components/States.js';
import { type MessageKey, t } from '../../i18n/index.js';
import { api, query } from '../../lib/api.js';
import { useApp } from '../../lib/context.js';
import { addDays } from '../../lib/days.js';
import { useResource } from '../../lib/resource.js';
import type { TriedNotBought } from '../../lib/types.js';

/** The ranking's head is what a manager acts on. */
const PRODUCTS_SHOWN = 50;

const PERIODS: readonly { days: number; label: MessageKey }[] = [
  { days: 1, label: 'products.today' },
  { days: 7, label: 'products.last7' },
  { days: 30, label: 'products.last30' },
];

export function Products() {
  const { live, formats, store } = useApp();
  const [days, setDays] = useState(1);
  const products = useResource(
    // "Today" is the gateway's today (GET /store), as on the other pages.
    () =>
      api.get<{ products: readonly TriedNotBought[] }>(
        `/products/tried-not-bought${query({ from: addDays(store.today, 1 - days), to: store.today })}`,
      ),
    { live, refreshOn: ['fact'], key: String(days) },
  );

  return (
    <section class="card">
      <div class="toolbar">
        <label>
          {t('products.period')}{' '}
          <select value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {PERIODS.map((p) => (
              <option key={p.days} value={String(p.days)}>
                {t(p.label)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {products.error ? (
        <ErrorBox error={products.error} onRetry={products.reload} />
      ) : !products.data ? (
        <Loading />
      ) : products.data.products.length === 0 ? (
        <p class="muted">{t('app.empty')}</p>
      ) : (
        <div class="scroll">
          {products.data.products.length > PRODUCTS_SHOWN && (
            <p class="muted">
              {t('products.showingTop', {
                shown: PRODUCTS_SHOWN,
                total: formats.int(products.data.products.length),
              })}
            </p>
          )}
          <table>
            <caption class="sr-only">{t('products.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('products.product')}</th>
                <th scope="col">{t('products.sku')}</th>
                <th scope="col" class="num">
                  {t('products.tried')}
                </th>
                <th scope="col" class="num">
                  {t('products.bought')}
                </th>
                <th scope="col" class="num">
                  {t('products.notBought')}
                </th>
                <th scope="col" class="num">
                  {t('products.sizeSwaps')}
                </th>
                <th scope="col" class="num">
                  {t('products.conversion')}
                </th>
              </tr>
            </thead>
            <tbody>
              {products.data.products.slice(0, PRODUCTS_SHOWN).map((p) => (
                <tr key={p.key} data-product={p.key}>
                  <td>
                    <Data>{p.name ?? p.style ?? p.key}</Data>
                  </td>
                  <td>
                    <Data>{p.sku ?? p.key}</Data>
                  </td>
                  <NumCell value={p.tried} />
                  <NumCell value={p.bought} />
                  <NumCell value={p.triedNotBought} />
                  <NumCell value={p.sizeSwaps} />
                  <td class="num">
                    <Data>{formats.percent(p.tried === 0 ? null : p.bought / p.tried)}</Data>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
