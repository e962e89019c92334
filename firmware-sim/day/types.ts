/** Shapes shared by the store-day generator's parts. Times are epoch milliseconds. */
import type { DeviceMessage } from '../../protocols/index.js';

/** Catalog import shape of DESIGN ("Catalog import"). */
export interface Product {
  readonly gtin: string;
  readonly sku: string;
  readonly style: string;
  readonly color: string;
  readonly size: string;
  readonly name: string;
  readonly brand?: string;
  readonly price: number;
}

/** Member import shape of DESIGN ("Member import"). */
export interface Member {
  readonly id: string;
  readonly name: string;
  readonly tier: number;
  readonly phone?: string;
  /** Member-card EPCs (hex) and app credentials. */
  readonly cards: readonly string[];
  readonly sizes?: Readonly<Record<string, string>>;
  readonly notes?: string;
}

export interface StaffMember {
  readonly id: string;
  readonly name: string;
  readonly badge: string;
}

/** An invitation (邀约) record as staff would enter it (`POST /invitations`). */
export interface Invitation {
  readonly id: string;
  readonly member: string;
  readonly staff: string;
  readonly channel: 'wechat' | 'phone' | 'sms';
  readonly campaign: string;
  /** RFC 3339, when the member was invited. */
  readonly ts: string;
}

/** One message of the day: when to send it (scenario time) and what. */
export interface TimedMessage {
  /** Send time, epoch ms (≥ the payload's ts; later for a device flushing a buffer). */
  readonly at: number;
  readonly topic: string;
  readonly payload: DeviceMessage;
}

/** Key times of a store day. */
export interface DayClock {
  readonly date: string;
  /** Store-local midnight. */
  readonly midnight: number;
  /** Devices report from here (staff arrive). */
  readonly dayStart: number;
  /** Doors open: visitors from here. */
  readonly open: number;
  /** No visitor enters after this. */
  readonly lastEntry: number;
  /** Tills close; visitors leave shortly after. */
  readonly close: number;
  /** Last device message. */
  readonly dayEnd: number;
  readonly offsetMinutes: number;
}

/** A visitor group: people entering together within seconds. */
export interface Group {
  readonly id: number;
  readonly arrival: number;
  readonly size: number;
  /** Door `in` crossings, first one is the group's first person (a member, if any). */
  readonly ins: { at: number; n: number }[];
  /** Intended exit before activities (try-on, till) possibly extend it. */
  plannedExit: number;
  /** Hard limit for the exit (e.g. a card-carrying VIP must leave within the re-alert window). */
  latestExit: number;
  /** Time of the group's last till or fitting-room activity. */
  lastActivity: number;
  /** Member in the group (first person), and how they identify at the entrance. */
  member?: { readonly id: string; readonly via: 'card' | 'app' | 'app-credential' };
  /** Door `out` crossings, set when the day is finalised. */
  outs: { at: number; n: number }[];
}

export interface PlannedRead {
  readonly epc: string;
  readonly ant: number;
  readonly rssi: number;
  readonly at: number;
}

export interface PlannedCrossing {
  readonly device: string;
  readonly at: number;
  readonly dir: 'in' | 'out';
  readonly n: number;
  /** Who crossed: only `visitor` ins at the entrance door are visitors. */
  readonly who: 'visitor' | 'staff' | 'passer';
}

export type LineMode = 'epc' | 'gtin' | 'sku';

export interface PlannedLine {
  readonly product: Product;
  readonly mode: LineMode;
  /** Set when mode is `epc`. */
  readonly epc?: string;
  readonly qty: number;
  /** Unit price charged, when it is not the catalog price (a VIP discount). */
  readonly price?: number;
  /** The line also carries the less specific ids (an EPC line its GTIN and SKU, a GTIN line its SKU). */
  readonly more: boolean;
}

export interface PlannedReceipt {
  readonly terminal: string;
  /** Receipt time (device ts). */
  readonly ts: number;
  /** Send time: equals ts unless the terminal was offline and flushed later. */
  at: number;
  readonly kind: 'sale' | 'refund' | 'void';
  readonly lines: readonly PlannedLine[];
  readonly member?: string;
  readonly total: number;
  receipt: string;
}

export interface PlannedSeen {
  readonly at: number;
  readonly who: { readonly member: string } | { readonly credential: string };
  readonly zone: string;
  readonly via: 'app' | 'card' | 'wifi' | 'staff';
}
