/**
 * The one sign-in style form both dashboards show: signing in, and setting a new password
 * after a one-time one. The app owns the state, the strings (its own i18n) and the API call;
 * this renders them the same way everywhere (the `.login` styles are in base.css).
 */
import type { ComponentChildren } from 'preact';

export interface AuthField {
  /** The input's name (tests and password managers find it by that). */
  readonly name: string;
  readonly label: string;
  /** `username` is a text input; the others are password inputs. */
  readonly autocomplete: 'username' | 'current-password' | 'new-password';
  readonly value: string;
  readonly onInput: (value: string) => void;
  readonly minLength?: number;
}

export interface AuthFormProps {
  /** Id of the heading, which labels the form. */
  readonly titleId: string;
  readonly title: ComponentChildren;
  /** A sentence under the heading (why this form shows). */
  readonly note?: ComponentChildren;
  readonly noteClass?: string;
  readonly fields: readonly AuthField[];
  /** Shown as an alert above the button. */
  readonly error?: string | undefined;
  readonly busy: boolean;
  readonly submitLabel: string;
  readonly onSubmit: (event: Event) => void;
  /** Id of the page's <main> (the skip link's target, where the app has one). */
  readonly mainId?: string;
  /** Data attributes for the form, e.g. `{ 'data-change-password': '' }`. */
  readonly data?: Readonly<Record<`data-${string}`, string>>;
  /** Under the button: the language switch. */
  readonly footer?: ComponentChildren;
}

export function AuthForm(props: AuthFormProps) {
  return (
    <main class="login" id={props.mainId}>
      <form class="card login-form" onSubmit={props.onSubmit} aria-labelledby={props.titleId} {...props.data}>
        <h1 id={props.titleId}>{props.title}</h1>
        {props.note !== undefined && <p class={props.noteClass}>{props.note}</p>}
        {props.fields.map((f) => (
          <label key={f.name}>
            {f.label}
            <input
              name={f.name}
              {...(f.autocomplete === 'username' ? {} : { type: 'password' })}
              autocomplete={f.autocomplete}
              {...(f.minLength === undefined ? {} : { minLength: f.minLength })}
              required
              value={f.value}
              onInput={(e) => f.onInput(e.currentTarget.value)}
            />
          </label>
        ))}
        {props.error && (
          <p class="error" role="alert">
            {props.error}
          </p>
        )}
        <button type="submit" class="primary" disabled={props.busy}>
          {props.submitLabel}
        </button>
        {props.footer}
      </form>
    </main>
  );
}

/** The catalog keys of the sign-in form; both apps' catalogs have them. */
export type SignInKey = 'login.title' | 'login.name' | 'login.password' | 'login.submit';

/** Signing in: "<app> · Sign in", user name and password, the language switch under it. */
export function SignInForm(props: {
  appTitle: string;
  text: (key: SignInKey) => string;
  name: string;
  password: string;
  setName: (value: string) => void;
  setPassword: (value: string) => void;
  error: string | undefined;
  busy: boolean;
  onSubmit: (event: Event) => void;
  footer: ComponentChildren;
  mainId?: string;
}) {
  const { text } = props;
  return (
    <AuthForm
      {...(props.mainId !== undefined ? { mainId: props.mainId } : {})}
      titleId="login-title"
      title={`${props.appTitle} · ${text('login.title')}`}
      fields={[
        {
          name: 'name',
          label: text('login.name'),
          autocomplete: 'username',
          value: props.name,
          onInput: props.setName,
        },
        {
          name: 'password',
          label: text('login.password'),
          autocomplete: 'current-password',
          value: props.password,
          onInput: props.setPassword,
        },
      ]}
      error={props.error}
      busy={props.busy}
      submitLabel={text('login.submit')}
      onSubmit={props.onSubmit}
      footer={props.footer}
    />
  );
}
