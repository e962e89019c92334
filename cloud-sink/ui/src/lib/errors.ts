/** What a person reads when something fails: the API's code mapped to a catalog message. */
import { knownKey, t } from '../i18n/index.js';
import { ApiError } from './api.js';

export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const key = knownKey(`error.${err.code}`);
    if (key) return t(key);
    if (err.status === 429) return t('error.RATE_LIMITED');
    return t('error.generic', { status: err.status });
  }
  if (err instanceof TypeError) return t('error.network');
  return t('error.generic', { status: '—' });
}
