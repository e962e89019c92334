/**
 * The invitation form's member field: type a name, a member id or the last 4+ digits of
 * the phone, pick one of the few matches (GET /members/search, staff and managers only).
 * A member id typed in full can also be submitted without picking. The form clears it by
 * mounting a new picker (a new `key`): clearing through a prop raced the next keystroke.
 */
import { useEffect, useState } from 'preact/hooks';
import { Data } from '../../components/Figures.js';
import { Tx } from '../../components/Tx.js';
import { t } from '../../i18n/index.js';
import { api, query } from '../../lib/api.js';
import { errorText } from '../../lib/errors.js';
import { stars, tierLabel } from '../../lib/format.js';
import type { MemberHit } from '../../lib/types.js';

const SEARCH_DELAY_MS = 200;
const RESULTS = 8;

export function MemberPicker(props: { onChange: (memberId: string) => void }) {
  const [text, setText] = useState('');
  const [hits, setHits] = useState<readonly MemberHit[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [picked, setPicked] = useState<MemberHit | undefined>(undefined);

  useEffect(() => {
    const q = text.trim();
    if (q === '' || picked) {
      setHits(undefined);
      return;
    }
    let stale = false;
    const timer = setTimeout(() => {
      api
        .get<{ members: readonly MemberHit[] }>(`/members/search${query({ q, limit: String(RESULTS) })}`)
        .then((r) => {
          if (stale) return;
          setHits(r.members);
          setError(undefined);
        })
        .catch((err: unknown) => {
          if (!stale) setError(errorText(err));
        });
    }, SEARCH_DELAY_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [text, picked]);

  const choose = (hit: MemberHit) => {
    setPicked(hit);
    setText(hit.member);
    setHits(undefined);
    props.onChange(hit.member);
  };

  return (
    <div class="member-picker">
      <label>
        {t('vip.inv.member')}
        <input
          name="member"
          required
          maxLength={64}
          autocomplete="off"
          placeholder={t('vip.inv.memberHint')}
          value={text}
          aria-describedby="member-picked"
          onInput={(e) => {
            const value = e.currentTarget.value;
            setText(value);
            setPicked(undefined);
            props.onChange(value.trim());
          }}
        />
      </label>
      <p id="member-picked" class="muted picked" aria-live="polite">
        {picked && (
          <>
            <Data>{picked.name}</Data>{' '}
            <span class="stars" role="img" aria-label={tierLabel(picked.tier)}>
              {stars(picked.tier)}
            </span>
          </>
        )}
      </p>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {hits && (
        <ul class="member-hits" aria-label={t('vip.inv.matches')}>
          {hits.length === 0 ? (
            <li class="muted">{t('vip.inv.noMatch')}</li>
          ) : (
            hits.map((h) => (
              <li key={h.member}>
                <button type="button" data-member={h.member} onClick={() => choose(h)}>
                  <Data>{h.name}</Data> <span class="muted">{h.member}</span>
                  {h.phoneTail && (
                    <span class="muted">
                      {' '}
                      <Tx k="vip.inv.phoneTail" data={{ tail: h.phoneTail }} />
                    </span>
                  )}
                </button>
              </li>
            ))
          )}
        </ul>
      )}
    </div>
  );
}
