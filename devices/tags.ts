/**
 * Raw tag reads → one `tag.seen` per (epc, zone, second) (DESIGN "Raw RFID reads are reduced
 * before the journal"). Reads wait here until their second is over, then fold together, so
 * a second's reads become one event even when they arrive in many frames.
 */
import { foldTagReads, type TagRead } from '../protocols/index.js';
import type { EventOutbox } from './outbox.js';

export interface TagFolderOptions {
  readonly device: string;
  /** Prefix of event ids, unique per driver run (e.g. its start time). */
  readonly idPrefix: string;
  /** EventFlags for every event. */
  readonly flags: number;
  /**
   * True when read times are device times (Impinj): a second is over once a later second
   * has been seen, or `holdMs` after its reads arrived. False when reads are stamped on
   * receipt: a second is over once the clock has passed it.
   */
  readonly deviceTime: boolean;
  /** Longest a device-time read waits for its second to close. Default 2 s. */
  readonly holdMs?: number;
}

interface Held {
  readonly read: TagRead;
  readonly rxTs: number;
}

export class TagFolder {
  readonly #opts: TagFolderOptions;
  readonly #holdMs: number;
  readonly #outbox: EventOutbox;
  #held: Held[] = [];
  #latestTs = Number.NEGATIVE_INFINITY;
  #batch = 0;
  #events = 0;

  constructor(outbox: EventOutbox, options: TagFolderOptions) {
    this.#outbox = outbox;
    this.#opts = options;
    this.#holdMs = options.holdMs ?? 2000;
  }

  /** Reads waiting for their second to close. */
  get held(): number {
    return this.#held.length;
  }

  /** tag.seen events produced so far. */
  get events(): number {
    return this.#events;
  }

  add(read: TagRead, rxTs: number): void {
    this.#held.push({ read, rxTs });
    if (read.ts > this.#latestTs) this.#latestTs = read.ts;
  }

  /** Folds and sends the reads of every closed second (all of them when `all`). */
  flush(now: number, all = false): void {
    if (this.#held.length === 0) return;
    const cutoff = Math.floor((this.#opts.deviceTime ? this.#latestTs : now) / 1000);
    const out: TagRead[] = [];
    const keep: Held[] = [];
    for (const h of this.#held) {
      const closed =
        all || Math.floor(h.read.ts / 1000) < cutoff || (this.#opts.deviceTime && now - h.rxTs >= this.#holdMs);
      if (closed) out.push(h.read);
      else keep.push(h);
    }
    this.#held = keep;
    if (out.length === 0) return;
    const events = foldTagReads(out, {
      device: this.#opts.device,
      id: `${this.#opts.idPrefix}-${this.#batch++}`,
      rxTs: now,
      flags: this.#opts.flags,
    });
    this.#events += events.length;
    this.#outbox.push(events.map((e) => Object.freeze(e)));
  }
}

/**
 * Parses a config antenna map ({"1": "fr-1", …}) into port number → zone, checking each key
 * is an integer in [min, max]. Returns the bad keys instead of throwing.
 */
export function parseAntennaMap(
  antennas: Readonly<Record<string, string>>,
  min: number,
  max: number,
): { readonly map: ReadonlyMap<number, string>; readonly bad: readonly string[] } {
  const map = new Map<number, string>();
  const bad: string[] = [];
  for (const [key, zone] of Object.entries(antennas)) {
    const n = /^[0-9]{1,2}$/.test(key) ? Number(key) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max || zone.length === 0) bad.push(key);
    else map.set(n, zone);
  }
  return { map, bad };
}
