/** Sign-in (POST /api/v1/auth/login), and the password change a one-time password requires. */
import { useEffect, useState } from 'preact/hooks';
import { AuthForm, SignInForm } from '../../../ui-shared/AuthForm.js';
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
    <SignInForm
      mainId="main"
      appTitle={t('app.title')}
      text={t}
      {...{ name, password, setName, setPassword, error, busy }}
      onSubmit={submit}
      footer={<LanguageSwitch />}
    />
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
    <AuthForm
      mainId="main"
      titleId="change-title"
      data={{ 'data-change-password': '' }}
      title={t('login.changeTitle')}
      note={t('login.changeNote')}
      noteClass="muted"
      fields={[
        {
          name: 'current',
          label: t('login.password'),
          autocomplete: 'current-password',
          value: current,
          onInput: setCurrent,
        },
        {
          name: 'new-password',
          label: t('login.newPassword'),
          autocomplete: 'new-password',
          minLength: 12,
          value: next,
          onInput: setNext,
        },
      ]}
      error={error ? t('login.changeFailed') : undefined}
      busy={busy}
      submitLabel={t('login.changeSubmit')}
      onSubmit={submit}
      footer={<LanguageSwitch />}
    />
  );
}
