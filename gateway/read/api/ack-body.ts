/**
 * The body of "I'm on it" (VIP alerts) and "on my way" (assistance cards):
 * `{staff, staffName?}`. With sign-in on, gateway/infra/auth sets both from the session, whatever
 * the body said; the open API (sign-in off) takes the claim.
 */
import { cleanDisplayName } from '../../infra/auth/users.js';
import { BadRequestError } from './errors.js';

export interface AckBody {
  /** The sign-in name (or, without sign-in, whatever the caller names itself). */
  readonly staff: string;
  /** The person's display name, when there is one. */
  readonly name: string | undefined;
}

export function parseAck(body: unknown): AckBody {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const { staff, staffName } = fields;
  if (typeof staff !== 'string' || staff.trim() === '' || staff.length > 64) {
    throw new BadRequestError('body must be {"staff": "<name or id>"}', 'INVALID_ACK');
  }
  const name = typeof staffName === 'string' ? cleanDisplayName(staffName) : undefined;
  if (staffName !== undefined && name === undefined) {
    throw new BadRequestError('staffName must be 1 to 64 characters', 'INVALID_ACK');
  }
  return { staff: staff.trim(), name };
}
