/**
 * What a person reads when something fails: the API's error code mapped to a catalog
 * message (the gateway's own `message` is English for operators and never shown), a
 * generic translated sentence for codes the catalog does not know.
 */
import { knownKey, t } from '../i18n/index.js';
import { ApiError } from './api.js';

export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const key = knownKey(`error.${err.code}`);
    if (key) return t(key);
    if (err.status === 429) return t('error.RATE_LIMITED');
    return t('error.generic', { status: err.status });
  }
  // fetch rejects with a TypeError when the gateway cannot be reached.
  if (err instanceof TypeError) return t('error.network');
  return t('error.generic', { status: '—' });
}
