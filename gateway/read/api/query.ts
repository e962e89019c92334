/** Query-string parsing shared by routes (and with HQ): common/http.ts. */
export {
  type LocalDays,
  optionalString,
  parseGranularity,
  parseInstant,
  parseLimit,
  parseRange,
} from '../../../common/http.js';
