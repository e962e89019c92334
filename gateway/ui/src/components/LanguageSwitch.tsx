/** 中文 / English: the choice is remembered on this device. */
import { LanguageButtons } from '../../../../ui-shared/LanguageButtons.js';
import { locale, setLocale, t } from '../i18n/index.js';
import { useSignal } from '../lib/signal.js';

export function LanguageSwitch() {
  const current = useSignal(locale);
  return <LanguageButtons legend={t('app.language')} current={current} onChoose={setLocale} />;
}
