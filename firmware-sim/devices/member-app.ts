/**
 * The member app backend (a `member-source`): reports a member checking in with the app, or a
 * credential scanned, in a zone.
 */
import { type MemberSeenMsg, topics } from '../../protocols/index.js';
import { DeviceSim, type SimMessage } from './device-sim.js';

/** Who was seen: a known member id, or a raw credential the gateway resolves via the roster. */
export type SeenWho = { readonly member: string } | { readonly credential: string };

export class MemberAppSim extends DeviceSim {
  seen(at: number, who: SeenWho, zone: string, via: MemberSeenMsg['via'] = 'app'): SimMessage<MemberSeenMsg> {
    const payload: MemberSeenMsg = { v: 1, type: 'member.seen', id: this.nextId(), ts: this.time(at), zone, via };
    if ('member' in who) payload.member = who.member;
    else payload.credential = who.credential;
    return { topic: topics.memberSeen(this.store, this.device), payload };
  }
}
