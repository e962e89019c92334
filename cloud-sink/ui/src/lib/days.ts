// Calendar days: shared with the store's dashboard, the code lives in ui-shared/.
import type { PeriodKind } from '../../../../ui-shared/days.js';

export * from '../../../../ui-shared/days.js';

/** A day breaks down by hour, a week or a month by day. */
export const BREAKDOWN: Readonly<Record<PeriodKind, 'hour' | 'day'>> = { day: 'hour', week: 'day', month: 'day' };
