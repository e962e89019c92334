/**
 * The MQTT topic map of DESIGN.md: which device topics exist, which message types each
 * carries, and the gateway's outgoing topics.
 */
import type { MessageType } from './messages.js';
import { accept, type Decoded, reject } from './result.js';

/** Device-facing channels: `retail/{store}/{family}/{device}/{channel}`. */
export const DeviceChannels = {
  'door/event': ['door.crossing', 'door.totals'],
  'rfid/reads': ['rfid.reads'],
  /** Impinj IoT Device Interface JSON, as the reader emits it (no v/type envelope). */
  'rfid/impinj': [],
  'pos/receipt': ['pos.receipt'],
  'member/seen': ['member.seen'],
  'device/status': ['device.status'],
} as const satisfies Record<string, readonly MessageType[]>;

export type DeviceChannel = keyof typeof DeviceChannels;

export interface DeviceTopic {
  readonly store: string;
  readonly device: string;
  readonly channel: DeviceChannel;
}

const SEGMENT = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Devices publish on a handful of topics, every message: parsed results are kept (they are
 * immutable), which spares a split, two regular expressions and a string per message. Bounded:
 * cleared when full, so topics nobody configured cannot grow it.
 */
const parsedTopics = new Map<string, Decoded<DeviceTopic>>();
const PARSED_TOPICS_MAX = 1024;

export function parseDeviceTopic(topic: string): Decoded<DeviceTopic> {
  const known = parsedTopics.get(topic);
  if (known !== undefined) return known;
  const parsed = parseTopic(topic);
  // Shared by every later message on the topic: nobody may change it.
  if (parsed.ok) Object.freeze(parsed.value);
  Object.freeze(parsed);
  if (parsedTopics.size >= PARSED_TOPICS_MAX) parsedTopics.clear();
  parsedTopics.set(topic, parsed);
  return parsed;
}

function parseTopic(topic: string): Decoded<DeviceTopic> {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== 'retail') return reject('bad-topic', `not a device topic: ${topic}`);
  const [, store = '', family = '', device = '', leaf = ''] = parts;
  const channel = `${family}/${leaf}`;
  if (!(channel in DeviceChannels)) return reject('bad-topic', `unknown channel ${channel}`);
  if (!SEGMENT.test(store) || !SEGMENT.test(device)) return reject('bad-topic', `bad store or device id in ${topic}`);
  return accept({ store, device, channel: channel as DeviceChannel });
}

export function channelAccepts(channel: DeviceChannel, type: MessageType): boolean {
  return (DeviceChannels[channel] as readonly MessageType[]).includes(type);
}

export const topics = {
  doorEvent: (store: string, device: string) => `retail/${store}/door/${device}/event`,
  rfidReads: (store: string, device: string) => `retail/${store}/rfid/${device}/reads`,
  rfidImpinj: (store: string, device: string) => `retail/${store}/rfid/${device}/impinj`,
  posReceipt: (store: string, device: string) => `retail/${store}/pos/${device}/receipt`,
  memberSeen: (store: string, device: string) => `retail/${store}/member/${device}/seen`,
  deviceStatus: (store: string, device: string) => `retail/${store}/device/${device}/status`,
  vipAlerts: (store: string) => `retail/${store}/alerts/vip`,
  /** Fitting-room assistance cards (`room.assist`, `room.assist.ack`). */
  assistAlerts: (store: string) => `retail/${store}/alerts/assist`,
  liveFunnel: (store: string) => `retail/${store}/live/funnel`,
} as const;
