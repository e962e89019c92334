/** Device health: status, link, last seen, traffic, refused inputs, clock skew, and the HQ link. */
import { Data, NumCell } from '../../components/Figures.js';
import { ErrorBox, Loading } from '../../components/States.js';
import { knownKey, t } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import { useApp } from '../../lib/context.js';
import { useResource } from '../../lib/resource.js';
import type { DevicesResponse } from '../../lib/types.js';
import { ReceiptImport } from './ReceiptImport.js';

export function Devices() {
  const { live, formats, user } = useApp();
  const devices = useResource(() => api.get<DevicesResponse>('/devices'), {
    live,
    refreshOn: ['device', 'device.link'],
  });
  if (devices.error) return <ErrorBox error={devices.error} onRetry={devices.reload} />;
  if (!devices.data) return <Loading />;
  const { upstream } = devices.data;
  const tills = devices.data.devices.filter((d) => d.receiptImport === true).map((d) => d.id);
  return (
    <>
      <section class="card">
        <div class="scroll">
          <table>
            <caption class="sr-only">{t('devices.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('devices.device')}</th>
                <th scope="col">{t('devices.kind')}</th>
                <th scope="col">{t('devices.status')}</th>
                <th scope="col">{t('devices.lastSeen')}</th>
                <th scope="col" class="num">
                  {t('devices.messages')}
                </th>
                <th scope="col" class="num">
                  {t('devices.duplicates')}
                </th>
                <th scope="col" class="num">
                  {t('devices.rejected')}
                </th>
                <th scope="col" class="num">
                  {t('devices.skew')}
                </th>
                <th scope="col" class="num">
                  {t('devices.battery')}
                </th>
              </tr>
            </thead>
            <tbody>
              {devices.data.devices.map((d) => {
                const kind = knownKey(`devices.kind.${d.kind}`);
                const status = knownKey(`devices.status.${d.status}`);
                return (
                  <tr key={d.id} data-device={d.id} data-status={d.status}>
                    <th scope="row">
                      <Data>{d.id}</Data>
                    </th>
                    <td>
                      {kind ? t(kind) : <Data>{d.kind}</Data>} <Data class="muted">{d.transport}</Data>
                    </td>
                    <td>
                      <span class={`status status-${d.status}`}>{status ? t(status) : <Data>{d.status}</Data>}</span>
                    </td>
                    <td>{d.lastSeen ? <Data>{formats.dateTime(d.lastSeen)}</Data> : t('devices.never')}</td>
                    <NumCell value={d.messages} />
                    <NumCell value={d.duplicates} />
                    <td class={`num ${d.rejected > 0 ? 'warn' : ''}`}>
                      <Data raw={d.rejected}>{formats.int(d.rejected)}</Data>
                    </td>
                    <td class="num">
                      <Data>{d.skewMs === null ? formats.decimal(null) : formats.duration(Math.abs(d.skewMs))}</Data>
                    </td>
                    <td class="num">
                      <Data>{d.battery === null ? formats.decimal(null) : formats.percent(d.battery / 100)}</Data>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <p class={devices.data.unknownSenders > 0 ? 'warn' : 'muted'} data-unknown={devices.data.unknownSenders}>
          {devices.data.unknownSenders > 0 ? (
            <>
              {t('devices.unknown')}:{' '}
              <Data raw={devices.data.unknownSenders}>{formats.int(devices.data.unknownSenders)}</Data>
            </>
          ) : (
            t('devices.unknownNone')
          )}
        </p>
      </section>
      {user.role === 'manager' && tills.length > 0 && <ReceiptImport tills={tills} />}
      {upstream && (
        <section class="card" aria-labelledby="upstream-title">
          <h2 id="upstream-title">{t('devices.upstream')}</h2>
          <p data-backlog={upstream.outbox.depth}>
            {t('devices.upstream.backlog', { count: formats.int(upstream.outbox.depth) })}
          </p>
          {!upstream.enabled ? (
            <p class="muted">{t('devices.upstream.off')}</p>
          ) : (
            upstream.publisher?.state && (
              <p class="muted">
                {t('devices.upstream.stateLabel')}: <Data>{upstream.publisher.state}</Data>
              </p>
            )
          )}
        </section>
      )}
    </>
  );
}
