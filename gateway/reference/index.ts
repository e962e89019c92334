export { type Member, normaliseCard, type Product, ReferenceData, toGtin14 } from './reference.js';
export { MemberImport, MemberImportList, ProductImport, ProductImportList } from './schemas.js';
