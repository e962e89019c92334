/**
 * Grouped bar chart in plain HTML (no chart library: a few bars do not need one). Bar
 * heights are set through the CSSOM, which the gateway's CSP allows (no inline styles).
 * The same numbers render as a table for screen readers, so the bars are aria-hidden.
 */
import type { ComponentChildren } from 'preact';

export interface Series {
  readonly key: string;
  readonly label: string;
  readonly className: string;
  readonly values: readonly number[];
}

export function BarChart(props: { labels: readonly string[]; series: readonly Series[]; caption: ComponentChildren }) {
  const max = Math.max(1, ...props.series.flatMap((s) => s.values));
  // Axis labels never get cut ("09:( 10:("): a label every `step` bars, fewer on a phone.
  const n = props.labels.length;
  const wide = Math.max(1, Math.ceil(n / 16));
  const narrow = Math.max(1, Math.ceil(n / 6));
  const tickClass = (i: number) => `tick${i % wide === 0 ? '' : ' minor'}${i % narrow === 0 ? '' : ' minor-narrow'}`;
  return (
    <figure class="chart">
      <div class="bars" aria-hidden="true">
        {props.labels.map((label, i) => (
          <div class="bar-group" key={label}>
            <div class="bar-stack">
              {props.series.map((s) => {
                const value = s.values[i] ?? 0;
                return (
                  <span
                    key={s.key}
                    class={`bar ${s.className}`}
                    style={{ height: `${(value / max) * 100}%` }}
                    title={`${s.label}: ${value}`}
                  />
                );
              })}
            </div>
            <span class={tickClass(i)}>{label}</span>
          </div>
        ))}
      </div>
      <figcaption>
        <span class="legend">
          {props.series.map((s) => (
            <span key={s.key} class="legend-item">
              <span class={`swatch ${s.className}`} aria-hidden="true" />
              {s.label}
            </span>
          ))}
        </span>
        <span class="sr-only">{props.caption}</span>
      </figcaption>
    </figure>
  );
}
