/**
 * A translated sentence with store data inside it ("{staff} is on it"): the data pieces
 * render as their own `data-content` elements, so the UI text around them stays checkable.
 */
import type { ComponentChild } from 'preact';
import { type MessageKey, t } from '../i18n/index.js';
import { Data } from './Figures.js';

export function Tx(props: { k: MessageKey; data: Readonly<Record<string, string>> }) {
  // Translate with sentinels, then cut the sentence at them.
  const marks: Record<string, string> = {};
  for (const name of Object.keys(props.data)) marks[name] = `\u0000${name}\u0000`;
  const parts = t(props.k, marks).split('\u0000');
  const out: ComponentChild[] = parts.map((part, i) =>
    i % 2 === 1 ? <Data key={part}>{props.data[part] ?? part}</Data> : part,
  );
  return <>{out}</>;
}
