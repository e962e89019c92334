/**
 * The sign-in form shown when the gateway requires a login and there is no session. A user
 * on a one-time password (the first manager the gateway created) sets a new one here before
 * anything else opens.
 */
import { useEffect, useState } from 'preact/hooks';
import { AuthForm, SignInForm } from '../../../../ui-shared/AuthForm.js';
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
      <AuthForm
        titleId="login-title"
        title={t('login.changeTitle')}
        note={t('login.changeWhy')}
        fields={[
          {
            name: 'new-password',
            label: t('login.newPassword'),
            autocomplete: 'new-password',
            value: next,
            onInput: setNext,
          },
          {
            name: 'repeat-password',
            label: t('login.repeatPassword'),
            autocomplete: 'new-password',
            value: repeat,
            onInput: setRepeat,
          },
        ]}
        error={error}
        busy={busy}
        submitLabel={t('login.changeSubmit')}
        onSubmit={change}
      />
    );
  }

  return (
    <SignInForm
      appTitle={t(props.title ?? 'app.title')}
      text={t}
      {...{ name, password, setName, setPassword, error, busy }}
      onSubmit={submit}
      footer={<LanguageSwitch />}
    />
  );
}
