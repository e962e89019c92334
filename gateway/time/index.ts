// Public surface of gateway/time: store-local calendar arithmetic, no I/O.
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
} from './calendar.js';
