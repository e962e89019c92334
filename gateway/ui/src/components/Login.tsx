/** The sign-in form shown when the gateway requires a login and there is no session. */
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
      const result = await api.post<{ user: SessionUser; csrfToken: string }>('/auth/login', { name, password });
      csrfToken.set(result.csrfToken);
      props.onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? t('login.rateLimited') : t('login.failed'));
    } finally {
      setBusy(false);
    }
  };

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
