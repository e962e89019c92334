/** 中文 / English buttons; the app passes its current locale and what choosing one does. */
import { LOCALE_NAMES, LOCALES, type Locale } from './locales.js';

export function LanguageButtons(props: { legend: string; current: Locale; onChoose: (locale: Locale) => void }) {
  return (
    <fieldset class="lang-switch">
      <legend class="sr-only">{props.legend}</legend>
      {LOCALES.map((l) => (
        <button
          type="button"
          key={l}
          lang={l}
          class={l === props.current ? 'active' : ''}
          aria-pressed={l === props.current}
          data-locale={l}
          onClick={() => props.onChoose(l)}
        >
          {LOCALE_NAMES[l]}
        </button>
      ))}
    </fieldset>
  );
}
