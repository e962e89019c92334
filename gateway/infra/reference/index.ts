export { type MemberHit, PHONE_TAIL_MIN_DIGITS, SEARCH_LIMIT_MAX } from './member-search.js';
export { type Member, normaliseCard, type Product, ReferenceData, toGtin14 } from './reference.js';
export { MemberImport, MemberImportList, ProductImport, ProductImportList } from './schemas.js';
