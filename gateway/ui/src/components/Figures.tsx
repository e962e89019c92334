/**
 * How a number reaches the screen. Store data (figures, names, SKUs) is wrapped in an
 * element marked `data-content`, so the language tests can tell data from UI text, and
 * figures carry their raw value in `data-raw` so tests compare them with the API exactly.
 */
import type { ComponentChildren } from 'preact';
import { type MessageKey, t } from '../i18n/index.js';
import { useApp } from '../lib/context.js';

export function Data(props: { children: ComponentChildren; raw?: number | string | null; class?: string }) {
  return (
    <span data-content="" data-raw={props.raw === undefined ? undefined : String(props.raw)} class={props.class}>
      {props.children}
    </span>
  );
}

export type FigureKind = 'int' | 'percent' | 'money' | 'decimal' | 'minutes';

export function formatFigure(kind: FigureKind, value: number | null, formats = useApp().formats): string {
  switch (kind) {
    case 'int':
      return value === null ? formats.decimal(null) : formats.int(value);
    case 'percent':
      return formats.percent(value);
    case 'money':
      return formats.money(value);
    case 'decimal':
      return formats.decimal(value, 2);
    case 'minutes':
      return formats.duration(value === null ? null : value * 60_000);
  }
}

/** A right-aligned table cell holding one figure (raw value in data-raw, like every figure). */
export function NumCell(props: { value: number | null; kind?: FigureKind; class?: string }) {
  const { formats } = useApp();
  return (
    <td class={props.class ? `num ${props.class}` : 'num'}>
      <Data raw={props.value}>{formatFigure(props.kind ?? 'int', props.value, formats)}</Data>
    </td>
  );
}

/** A KPI tile: label (with its definition on hover and for screen readers), value, change. */
export function Kpi(props: {
  metric: string;
  label: MessageKey;
  definition?: MessageKey;
  kind: FigureKind;
  value: number | null;
  before?: number | null;
}) {
  const { formats } = useApp();
  const delta =
    props.before === undefined
      ? undefined
      : formats.change(props.kind === 'percent' ? 'rate' : 'amount', props.value, props.before);
  const id = `def-${props.metric}`;
  return (
    <div class="kpi card" data-metric={props.metric}>
      <div class="kpi-label">
        <span
          title={props.definition ? t(props.definition) : undefined}
          aria-describedby={props.definition ? id : undefined}
          tabIndex={props.definition ? 0 : undefined}
          class={props.definition ? 'has-definition' : undefined}
        >
          {t(props.label)}
        </span>
        {props.definition && (
          <span id={id} role="tooltip" class="definition">
            {t(props.definition)}
          </span>
        )}
      </div>
      <div class="kpi-value">
        <Data raw={props.value}>{formatFigure(props.kind, props.value, formats)}</Data>
      </div>
      {props.before !== undefined && (
        <div class="kpi-delta">
          {delta ? (
            <span class={deltaClass(delta.sign)}>
              <Data raw={props.before}>{delta.text}</Data>
            </span>
          ) : (
            <span class="muted">{t('overview.noComparison')}</span>
          )}
        </div>
      )}
    </div>
  );
}

/** Up and down: an arrow for everyone, a colour by the locale's convention (styles.css). */
export function deltaClass(sign: -1 | 0 | 1): string {
  return `delta ${sign > 0 ? 'up' : sign < 0 ? 'down' : 'flat'}`;
}

/** A change shown next to a figure: points for rates, percent for amounts, "—" when none. */
export function Change(props: { kind: FigureKind; now: number | null; before: number | null }) {
  const { formats } = useApp();
  const change = formats.change(props.kind === 'percent' ? 'rate' : 'amount', props.now, props.before);
  if (!change) return <Data>{formats.decimal(null)}</Data>;
  return (
    <span class={deltaClass(change.sign)}>
      <Data>{change.text}</Data>
    </span>
  );
}
