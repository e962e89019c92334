// Public surface of gateway/infra/time: the store-local calendar (common/calendar.ts, shared with HQ).
export {
  BUCKET_MS,
  createStoreCalendar,
  DAY_MS,
  GRANULARITIES,
  type Granularity,
  HOUR_MS,
  type LocalParts,
  MINUTE_MS,
  parseHhmm,
  parseLocalDay,
  type StoreCalendar,
} from '../../../common/calendar.js';
