/**
 * The staff app: today's VIP arrival cards, newest first, each with the member's profile,
 * suggestions and the "I'm on it" button. An ack from any phone shows on every screen at
 * once (SSE vip.ack). After a Wi-Fi drop the stream reconnects, the gateway replays what
 * was missed, and the list is refetched; cards that arrived meanwhile are flagged.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { pageTitle } from '../components/Boot.js';
import { LanguageSwitch } from '../components/LanguageSwitch.js';
import { ConnectionBadge, ErrorBox, Loading } from '../components/States.js';
import { t } from '../i18n/index.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { errorText } from '../lib/errors.js';
import type { VipAlert } from '../lib/types.js';
import { AlertCard } from './AlertCard.js';
import { AssistCards } from './AssistCards.js';
import { chime, setSoundPreference, soundPreference } from './notify.js';

const NAME_KEY = 'gw.staff.name';

function savedName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}

export function StaffApp() {
  const { live, store, user, authRequired } = useApp();
  const [alerts, setAlerts] = useState<ReadonlyMap<string, VipAlert>>(new Map());
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [missed, setMissed] = useState<ReadonlySet<string>>(new Set());
  const [sound, setSound] = useState(soundPreference());
  // Signed in, acks name the signed-in person (the gateway records them); open, the name typed once.
  const person = user.displayName ?? user.name;
  const [name, setName] = useState(authRequired ? person : savedName());
  const [draftName, setDraftName] = useState('');
  const known = useRef(new Set<string>());
  const knownAtDrop = useRef<Set<string> | undefined>(undefined);
  const soundRef = useRef(sound);
  soundRef.current = sound;

  useEffect(() => {
    document.title = pageTitle('app.staffTitle', store);
  });

  useEffect(() => {
    const add = (list: readonly VipAlert[], fresh: boolean) => {
      let arrived = 0;
      setAlerts((current) => {
        const next = new Map(current);
        for (const alert of list) next.set(alert.id, alert);
        return next;
      });
      for (const alert of list) {
        if (known.current.has(alert.id)) continue;
        known.current.add(alert.id);
        arrived++;
      }
      // Cards that arrived while this phone was offline are flagged until seen.
      const before = knownAtDrop.current;
      if (before) {
        const gap = list.filter((a) => !before.has(a.id)).map((a) => a.id);
        if (gap.length > 0) setMissed((m) => new Set([...m, ...gap]));
      }
      if (fresh && arrived > 0) chime(soundRef.current);
    };
    const load = async (reconnect: boolean) => {
      try {
        const result = await api.get<{ alerts: readonly VipAlert[] }>('/vip/alerts');
        add(result.alerts, reconnect);
        setError(undefined);
        knownAtDrop.current = undefined;
      } catch (err) {
        setError(errorText(err));
      } finally {
        setLoaded(true);
      }
    };
    void load(false);
    const offs = [
      live.on('vip.arrival', (m) => add([m.data as VipAlert], true)),
      live.on('vip.ack', (m) => {
        const { id, ack } = m.data as { id: string; ack: VipAlert['ack'] };
        setAlerts((current) => {
          const alert = current.get(id);
          if (!alert) return current;
          return new Map(current).set(id, { ...alert, ack });
        });
      }),
      live.onOpen((reconnect) => reconnect && void load(true)),
      live.state.subscribe((state) => {
        if (state === 'reconnecting' && !knownAtDrop.current) knownAtDrop.current = new Set(known.current);
      }),
    ];
    return () => {
      for (const off of offs) off();
    };
  }, [live]);

  const ordered = useMemo(() => [...alerts.values()].sort((a, b) => b.ts - a.ts), [alerts]);

  const ack = async (alert: VipAlert) => {
    if (name.trim() === '') return;
    try {
      const result = await api.post<{ alert: VipAlert }>(`/vip/alerts/${encodeURIComponent(alert.id)}/ack`, {
        staff: name.trim(),
      });
      setAlerts((current) => new Map(current).set(alert.id, result.alert));
    } catch (err) {
      setError(t('staff.ackFailed', { message: errorText(err) }));
    }
  };

  const saveName = (event: Event) => {
    event.preventDefault();
    const value = draftName.trim();
    if (value === '') return;
    try {
      localStorage.setItem(NAME_KEY, value);
    } catch {
      // Private mode: the name holds for this page.
    }
    setName(value);
  };

  return (
    <>
      <header class="topbar staff-bar">
        <div class="brand">
          <strong data-content="">{store.name}</strong>
          <span class="muted">{t('app.staffTitle')}</span>
        </div>
        <ConnectionBadge />
        <div class="topbar-right">
          <button
            type="button"
            aria-pressed={sound}
            onClick={() => {
              setSoundPreference(!sound);
              setSound(!sound);
            }}
          >
            {t('staff.sound')}: {sound ? t('staff.soundOn') : t('staff.soundOff')}
          </button>
          <InstallButton />
          <LanguageSwitch />
        </div>
      </header>
      <main id="main" class="staff">
        <h1 class="sr-only">{t('app.staffTitle')}</h1>
        {authRequired && (
          <p class="muted staff-person" data-person={user.name}>
            {t('staff.signedInAs', { name: person })}
          </p>
        )}
        {name.trim() === '' && (
          <form class="card name-form" onSubmit={saveName}>
            <p>{t('staff.namePrompt')}</p>
            <label>
              {t('staff.yourName')}
              <input
                name="staff-name"
                required
                maxLength={64}
                value={draftName}
                onInput={(e) => setDraftName(e.currentTarget.value)}
              />
            </label>
            <button type="submit" class="primary">
              {t('staff.saveName')}
            </button>
          </form>
        )}
        {missed.size > 0 && (
          <p class="banner" role="status" data-missed={missed.size}>
            {t('staff.missed', { count: missed.size })}
          </p>
        )}
        <AssistCards staffName={name} canAck={name.trim() !== '' && user.role !== 'viewer'} />
        {error && <ErrorBox message={error} />}
        {!loaded ? (
          <Loading />
        ) : ordered.length === 0 ? (
          <p class="muted empty">{t('staff.empty')}</p>
        ) : (
          <ul class="alert-list" aria-live="polite">
            {ordered.map((alert) => (
              <li key={alert.id}>
                <AlertCard
                  alert={alert}
                  missed={missed.has(alert.id)}
                  canAck={name.trim() !== '' && user.role !== 'viewer'}
                  onAck={() => {
                    setMissed((m) => {
                      const next = new Set(m);
                      next.delete(alert.id);
                      return next;
                    });
                    void ack(alert);
                  }}
                />
              </li>
            ))}
          </ul>
        )}
      </main>
    </>
  );
}

interface InstallPrompt extends Event {
  prompt(): Promise<void>;
}

/** Shown only when the browser offers to install the app (Chrome's beforeinstallprompt). */
function InstallButton() {
  const [prompt, setPrompt] = useState<InstallPrompt | undefined>(undefined);
  useEffect(() => {
    const onPrompt = (event: Event) => {
      event.preventDefault();
      setPrompt(event as InstallPrompt);
    };
    window.addEventListener('beforeinstallprompt', onPrompt);
    return () => window.removeEventListener('beforeinstallprompt', onPrompt);
  }, []);
  if (!prompt) return null;
  return (
    <button
      type="button"
      onClick={() => {
        void prompt.prompt();
        setPrompt(undefined);
      }}
    >
      {t('staff.install')}
    </button>
  );
}
