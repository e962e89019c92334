/**
 * What the journal holds: device events, plus the few inputs people make through the API
 * that correlation must replay identically (invitations, 邀约).
 */
import type { DeviceEvent, Invitation } from '../../../protocols/index.js';

export interface InvitationRecorded {
  readonly type: 'invitation.recorded';
  /** Always 'api': the journal's dedupe key is (device, id). */
  readonly device: 'api';
  readonly id: string;
  readonly ts: number;
  readonly rxTs: number;
  readonly flags: 0;
  readonly invitation: Invitation;
}

export type JournalEvent = DeviceEvent | InvitationRecorded;
