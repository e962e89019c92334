/**
 * An invitation (邀约) as staff record it through the API and the journal keeps it: who was
 * invited, by whom, how, for which campaign, when. Correlation attributes outcomes to it.
 */
export interface Invitation {
  readonly id: string;
  /** Member id (roster id). */
  readonly member: string;
  readonly staff: string;
  readonly channel: string;
  readonly campaign: string;
  /** When the member was invited (epoch ms). */
  readonly ts: number;
}
