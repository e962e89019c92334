/**
 * Period arithmetic in an IANA zone for HQ views: the store's own calendar
 * (common/calendar.ts), so HQ's periods have exactly the bounds the store shows, DST and
 * 30-minute shifts included. A store's funnel uses the store's zone, so HQ's "day" is the
 * store's day; cross-store views use one zone (HQ_TIMEZONE or ?tz=).
 */
import { createStoreCalendar, GRANULARITIES, type Granularity, type StoreCalendar } from '../common/calendar.js';

export { GRANULARITIES, type Granularity };

export type ZoneCalendar = StoreCalendar;

/** One calendar per zone (each caches its offsets); ?tz= is checked to be an IANA zone first. */
const calendars = new Map<string, ZoneCalendar>();

export function zoneCalendar(timezone: string): ZoneCalendar {
  let calendar = calendars.get(timezone);
  if (!calendar) {
    calendar = createStoreCalendar(timezone);
    calendars.set(timezone, calendar);
  }
  return calendar;
}
