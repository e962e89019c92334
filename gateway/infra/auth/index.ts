export { type AuditEntry, AuditLog } from './audit.js';
export { installSecurityHeaders, SECURITY_HEADERS } from './headers.js';
export { HttpAuth, type HttpAuthDeps, type Principal } from './http-auth.js';
export { carriesMemberPii, stripMemberPii } from './pii.js';
export { type PurgeCounts, RetentionJob } from './retention.js';
export { ROUTE_RULES, type Role, type RouteRule, roleAtLeast, ruleFor } from './roles.js';
