/**
 * An invitation (邀约) as staff record it through the API and the journal keeps it: who was
 * invited, by whom, how, for which campaign, when. Correlation attributes outcomes to it.
 */
export interface Invitation {
  readonly id: string;
  /** Member id (roster id). */
  readonly member: string;
  /** Who invited: the sign-in name. */
  readonly staff: string;
  /** The person's display name when the account has one (e.g. 王芳); absent on older records. */
  readonly staffName?: string;
  readonly channel: string;
  readonly campaign: string;
  /** When the member was invited (epoch ms). */
  readonly ts: number;
}
