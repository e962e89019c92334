/**
 * Who may call what: one declarative table for every route under /api/v1, read by the
 * auth hook. A route missing from the table needs a manager (deny by default) and is
 * logged at start, so a new route cannot silently become public.
 */
import type { Role } from '../config/types.js';

export type { Role };

/** 'public': no session at all (login, me, device webhooks). */
export type Access = Role | 'public';

export interface RouteRule {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route pattern as registered under /api/v1 (fastify syntax, `:param`). */
  readonly path: string;
  readonly access: Access;
  /** Audited action when the route succeeds (imports, exports, erasure). PII views are audited automatically. */
  readonly audit?: string;
  /** Body field that must name the acting user (set from the session when auth is on). */
  readonly actorField?: string;
  /** Body field set to the acting person's display name beside `actorField` (auth on). */
  readonly actorNameField?: string;
}

export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 1, staff: 2, manager: 3 };

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[needed];
}

export const ROUTE_RULES: readonly RouteRule[] = [
  // Sign-in and devices: no session.
  { method: 'GET', path: '/auth/me', access: 'public' },
  { method: 'POST', path: '/auth/login', access: 'public' },
  // Logout needs no role; with a session it still needs the CSRF token.
  { method: 'POST', path: '/auth/logout', access: 'public' },
  // Any signed-in user; the only route open to a user who must still replace a one-time password.
  { method: 'POST', path: '/auth/password', access: 'viewer' },
  { method: 'POST', path: '/ingest/impinj/:device', access: 'public' },
  // A till posting receipts: the device's own HTTP Basic credentials (gateway/read/api/device-auth.ts), no session.
  { method: 'POST', path: '/ingest/pos/:device', access: 'public' },
  // Aggregates: every signed-in user; member PII is stripped for viewers.
  { method: 'GET', path: '/store', access: 'viewer' },
  { method: 'GET', path: '/funnel', access: 'viewer' },
  { method: 'GET', path: '/live', access: 'viewer' },
  { method: 'GET', path: '/staffing', access: 'viewer' },
  { method: 'GET', path: '/fitting-rooms', access: 'viewer' },
  { method: 'GET', path: '/sessions', access: 'viewer' },
  { method: 'GET', path: '/fitting-rooms/assistance', access: 'viewer' },
  { method: 'GET', path: '/products/tried-not-bought', access: 'viewer' },
  { method: 'GET', path: '/devices', access: 'viewer' },
  { method: 'GET', path: '/upstream', access: 'viewer' },
  { method: 'GET', path: '/invitations/report', access: 'viewer' },
  // Each invitation's journey; member names are stripped for viewers like everywhere.
  { method: 'GET', path: '/invitations/journey', access: 'viewer' },
  { method: 'GET', path: '/stream', access: 'viewer' },
  // Shop floor: VIP alerts with the profile, "I'm on it", invitations.
  { method: 'GET', path: '/vip/alerts', access: 'staff' },
  { method: 'POST', path: '/vip/alerts/:id/ack', access: 'staff', actorField: 'staff', actorNameField: 'staffName' },
  // Fitting-room assistance cards (no member data) and "on my way".
  { method: 'GET', path: '/assist/alerts', access: 'staff' },
  { method: 'POST', path: '/assist/alerts/:id/ack', access: 'staff', actorField: 'staff', actorNameField: 'staffName' },
  { method: 'GET', path: '/invitations', access: 'staff' },
  { method: 'POST', path: '/invitations', access: 'staff', actorField: 'staff', actorNameField: 'staffName' },
  // The invitation form's member picker: names and phone tails, so never a viewer.
  { method: 'GET', path: '/members/search', access: 'staff' },
  // Manager: imports, exports, erasure, raw rejected payloads (may hold member credentials), audit.
  { method: 'GET', path: '/export/funnel.csv', access: 'manager', audit: 'export.funnel' },
  { method: 'GET', path: '/rejected', access: 'manager' },
  { method: 'PUT', path: '/members', access: 'manager', audit: 'members.import' },
  { method: 'DELETE', path: '/members/:id', access: 'manager', audit: 'members.erase' },
  { method: 'PUT', path: '/catalog', access: 'manager' },
  { method: 'POST', path: '/import/receipts', access: 'manager', audit: 'receipts.import' },
  { method: 'GET', path: '/audit', access: 'manager' },
];

const byKey = new Map(ROUTE_RULES.map((r) => [`${r.method} ${r.path}`, r]));

/**
 * The rule for a matched route. `path` is the route pattern without the /api/v1 prefix;
 * HEAD follows GET. Unknown routes need a manager.
 */
export function ruleFor(method: string, path: string): RouteRule {
  const m = method === 'HEAD' ? 'GET' : method;
  return byKey.get(`${m} ${path}`) ?? { method: 'GET', path, access: 'manager' };
}

export function isKnownRoute(method: string, path: string): boolean {
  return byKey.has(`${method === 'HEAD' ? 'GET' : method} ${path}`);
}

export const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
