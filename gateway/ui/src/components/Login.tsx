/**
 * The sign-in form shown when the gateway requires a login and there is no session. A user
 * on a one-time password (the first manager the gateway created) sets a new one here before
 * anything else opens.
 */
import { useEffect, useState } from 'preact/hooks';
import { locale, t } from '../i18n/index.js';
import { ApiError, api, csrfToken } from '../lib/api.js';
import { useSignal } from '../lib/signal.js';
import type { SessionUser } from '../lib/types.js';
import { LanguageSwitch } from './LanguageSwitch.js';

export function Login(props: { onSignedIn: () => void; title?: 'app.title' | 'app.staffTitle' }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [mustChange, setMustChange] = useState(false);
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const lang = useSignal(locale);
  // One language on the sign-in page too: the tab title follows the chosen language.
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = `${t('login.title')} · ${t(props.title ?? 'app.title')}`;
  }, [lang]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.post<{ user: SessionUser; csrfToken: string; mustChangePassword?: boolean }>(
        '/auth/login',
        { name, password },
      );
      csrfToken.set(result.csrfToken);
      if (result.mustChangePassword) setMustChange(true);
      else props.onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? t('login.rateLimited') : t('login.failed'));
    } finally {
      setBusy(false);
    }
  };

  const change = async (event: Event) => {
    event.preventDefault();
    if (next !== repeat) {
      setError(t('login.mismatch'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.post<{ csrfToken: string }>('/auth/password', { current: password, password: next });
      csrfToken.set(result.csrfToken);
      props.onSignedIn();
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === 'PASSWORD_TOO_SHORT' ? t('login.tooShort') : t('login.changeFailed'),
      );
    } finally {
      setBusy(false);
    }
  };

  if (mustChange) {
    return (
      <main class="login">
        <form class="card login-form" onSubmit={change} aria-labelledby="login-title">
          <h1 id="login-title">{t('login.changeTitle')}</h1>
          <p>{t('login.changeWhy')}</p>
          <label>
            {t('login.newPassword')}
            <input
              name="new-password"
              type="password"
              autocomplete="new-password"
              required
              value={next}
              onInput={(e) => setNext(e.currentTarget.value)}
            />
          </label>
          <label>
            {t('login.repeatPassword')}
            <input
              name="repeat-password"
              type="password"
              autocomplete="new-password"
              required
              value={repeat}
              onInput={(e) => setRepeat(e.currentTarget.value)}
            />
          </label>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="primary" disabled={busy}>
            {t('login.changeSubmit')}
          </button>
        </form>
      </main>
    );
  }

  return (
    <main class="login">
      <form class="card login-form" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">
          {t(props.title ?? 'app.title')} · {t('login.title')}
        </h1>
        <label>
          {t('login.name')}
          <input
            name="name"
            autocomplete="username"
            required
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('login.password')}
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('login.submit')}
        </button>
        <LanguageSwitch />
      </form>
    </main>
  );
}
