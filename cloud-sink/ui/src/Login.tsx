/** Sign-in (POST /api/v1/auth/login), and the password change a one-time password requires. */
import { useEffect, useState } from 'preact/hooks';
import { LanguageSwitch } from './components.js';
import { locale, t } from './i18n/index.js';
import { ApiError, api, token } from './lib/api.js';
import { useSignal } from './lib/signal.js';
import type { HqUser } from './lib/types.js';

export function Login(props: { onSignedIn: () => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const lang = useSignal(locale);
  useEffect(() => {
    document.title = `${t('login.title')} · ${t('app.title')}`;
  }, [lang]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.post<{ token: string; user: HqUser }>('/auth/login', { name, password });
      token.set(result.token);
      props.onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? t('login.rateLimited') : t('login.failed'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <form class="card login-form" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">
          {t('app.title')} · {t('login.title')}
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

/** A one-time password may only be changed (cloud-sink/auth.ts): this form, then the dashboard. */
export function ChangePassword(props: { onChanged: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState(false);
  const [busy, setBusy] = useState(false);
  useSignal(locale);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(false);
    try {
      await api.post('/auth/password', { current, password: next });
      props.onChanged();
    } catch {
      setError(true);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login" id="main">
      <form class="card login-form" onSubmit={submit} aria-labelledby="change-title" data-change-password="">
        <h1 id="change-title">{t('login.changeTitle')}</h1>
        <p class="muted">{t('login.changeNote')}</p>
        <label>
          {t('login.password')}
          <input
            name="current"
            type="password"
            autocomplete="current-password"
            required
            value={current}
            onInput={(e) => setCurrent(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('login.newPassword')}
          <input
            name="new-password"
            type="password"
            autocomplete="new-password"
            minLength={12}
            required
            value={next}
            onInput={(e) => setNext(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {t('login.changeFailed')}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('login.changeSubmit')}
        </button>
        <LanguageSwitch />
      </form>
    </main>
  );
}
