/** 中文 / English: the choice is remembered on this device. */
import { LOCALE_NAMES, LOCALES, locale, setLocale, t } from '../i18n/index.js';
import { useSignal } from '../lib/signal.js';

export function LanguageSwitch() {
  const current = useSignal(locale);
  return (
    <fieldset class="lang-switch">
      <legend class="sr-only">{t('app.language')}</legend>
      {LOCALES.map((l) => (
        <button
          type="button"
          key={l}
          lang={l}
          class={l === current ? 'active' : ''}
          aria-pressed={l === current}
          data-locale={l}
          onClick={() => setLocale(l)}
        >
          {LOCALE_NAMES[l]}
        </button>
      ))}
    </fieldset>
  );
}
