import { createHash } from 'node:crypto';
/**
 * MQTT device message → DeviceEvents: topic check, sender check against the config,
 * payload validation, time policy and zone resolution. Pure given (config, rxTs).
 */
import {
  accept,
  channelAccepts,
  type Decoded,
  type DeviceEvent,
  type DeviceMessage,
  decodeImpinjPayload,
  decodeMessage,
  EventFlags,
  foldTagReads,
  type PosReceiptMsg,
  parseDeviceTopic,
  type RejectCode,
  type Rejection,
  reject,
  type TagRead,
} from '../../../protocols/index.js';
import type { DeviceConfig, GatewayConfig } from '../../infra/config/index.js';
import { checkReceipt } from './receipt-check.js';

export interface DecodedInput {
  /** The configured device the topic names, when there is one (for per-device counters). */
  readonly device: string | undefined;
  readonly result: Decoded<DeviceEvent[]>;
  /** Parts of an accepted input that were refused (an Impinj batch with some bad events). */
  readonly partial?: Rejection;
}

export interface TimePolicy {
  readonly skewBoundMs: number;
  readonly lateWindowMs: number;
}

/** Decides which time an event counts at (DESIGN "Time"). */
export function stampTime(
  deviceTs: number,
  rxTs: number,
  policy: TimePolicy,
  clockUntrusted: boolean,
): Decoded<{ ts: number; flags: number }> {
  if (clockUntrusted) return accept({ ts: rxTs, flags: EventFlags.clockUntrusted });
  if (deviceTs > rxTs + policy.skewBoundMs) return accept({ ts: rxTs, flags: EventFlags.tsReplaced });
  if (deviceTs < rxTs - policy.lateWindowMs) {
    return reject('too-old', `ts ${new Date(deviceTs).toISOString()} is older than the late window`);
  }
  return accept({ ts: deviceTs, flags: 0 });
}

export function decodeMqttInput(topic: string, payload: Uint8Array, rxTs: number, config: GatewayConfig): DecodedInput {
  const parsedTopic = parseDeviceTopic(topic);
  if (!parsedTopic.ok) return { device: undefined, result: parsedTopic };
  const { store, device: deviceId, channel } = parsedTopic.value;
  if (store !== config.store.id) {
    return {
      device: undefined,
      result: reject('wrong-store', `topic is for store ${store}, this is ${config.store.id}`),
    };
  }
  const device = Object.hasOwn(config.devices, deviceId) ? config.devices[deviceId] : undefined;
  if (!device) return { device: undefined, result: reject('unknown-device', `device ${deviceId} is not configured`) };
  const fail = (code: RejectCode, reason: string): DecodedInput => ({ device: deviceId, result: reject(code, reason) });

  if (device.transport !== 'mqtt')
    return fail('wrong-kind', `device ${deviceId} is configured for ${device.transport}`);
  if (channel === 'rfid/impinj') {
    if (device.kind !== 'rfid-reader' || device.format !== 'impinj-iot') {
      return fail('wrong-kind', `device ${deviceId} is not configured as an impinj-iot reader`);
    }
    return decodeImpinjInput(deviceId, device.antennas, payload, rxTs, config, device.clock === 'untrusted');
  }

  const decoded = decodeMessage(payload);
  if (!decoded.ok) return { device: deviceId, result: decoded };
  const msg = decoded.value;
  if (!channelAccepts(channel, msg.type)) return fail('wrong-kind', `${msg.type} does not belong on ${channel}`);
  if (!deviceSends(device, msg)) return fail('wrong-kind', `a ${device.kind} does not send ${msg.type}`);

  const untrusted = 'clock' in device && device.clock === 'untrusted';
  const stamped = stampTime(Date.parse(msg.ts), rxTs, config.correlation, untrusted);
  if (!stamped.ok) return { device: deviceId, result: stamped };
  const { ts, flags } = stamped.value;
  const id = msg.id;
  // Each event literal lists the envelope fields itself: spreading a shared `base` object (it
  // holds doubles: ts, rxTs) takes V8's slow object-clone path, which made a new hidden class
  // per message: decoding ran 2.7x slower and filled old space with garbage (docs/benchmarks.md).

  switch (msg.type) {
    case 'door.crossing':
    case 'door.totals': {
      if (device.kind !== 'door-counter') return fail('wrong-kind', 'not a door counter');
      return msg.type === 'door.crossing'
        ? ok(deviceId, {
            device: deviceId,
            id,
            ts,
            rxTs,
            flags,
            type: msg.type,
            door: msg.door,
            zone: device.zone,
            dir: msg.dir,
            n: msg.n,
            // Always present (undefined when absent, dropped by JSON) so every crossing has one shape.
            period: msg.period === undefined ? undefined : msg.period * 1000,
          })
        : ok(deviceId, {
            device: deviceId,
            id,
            ts,
            rxTs,
            flags,
            type: msg.type,
            door: msg.door,
            zone: device.zone,
            totalIn: msg.totalIn,
            totalOut: msg.totalOut,
            boot: msg.boot,
          });
    }
    case 'rfid.reads': {
      if (device.kind !== 'rfid-reader') return fail('wrong-kind', 'not an RFID reader');
      const reads: TagRead[] = [];
      for (const [i, r] of msg.reads.entries()) {
        const zone = device.antennas[String(r.ant)];
        if (zone === undefined) return fail('schema', `/reads/${i}/ant: antenna ${r.ant} is not mapped to a zone`);
        const t = stampTime(Date.parse(r.ts), rxTs, config.correlation, untrusted);
        if (!t.ok) return { device: deviceId, result: t };
        reads.push({ epc: r.epc, zone, rssi: r.rssi, ts: t.value.ts });
      }
      return { device: deviceId, result: accept(foldTagReads(reads, { device: deviceId, id, rxTs, flags })) };
    }
    case 'pos.receipt':
      return { device: deviceId, result: receiptEvent(deviceId, msg, ts, rxTs, flags, config.store.currency) };
    case 'member.seen': {
      if (!Object.hasOwn(config.zones, msg.zone)) return fail('schema', `/zone: no zone named ${msg.zone}`);
      return ok(deviceId, {
        device: deviceId,
        id,
        ts,
        rxTs,
        flags,
        type: msg.type,
        zone: msg.zone,
        via: msg.via,
        ...(msg.member !== undefined ? { member: msg.member } : {}),
        ...(msg.credential !== undefined ? { credential: msg.credential } : {}),
      });
    }
    case 'device.status':
      return ok(deviceId, {
        device: deviceId,
        id,
        ts,
        rxTs,
        flags,
        type: msg.type,
        uptime: msg.uptime,
        fw: msg.fw,
        ...(msg.battery !== undefined ? { battery: msg.battery } : {}),
        ...(msg.errors !== undefined ? { errors: msg.errors } : {}),
      });
  }
}

/**
 * A validated `pos.receipt` message, already stamped, → its journal event, or the reason it
 * must not count (checkReceipt). Shared by MQTT and the HTTP POS routes (gateway/pipeline/ingest/pos-receipts.ts).
 */
export function receiptEvent(
  deviceId: string,
  msg: PosReceiptMsg,
  ts: number,
  rxTs: number,
  flags: number,
  storeCurrency: string,
): Decoded<DeviceEvent[]> {
  const invalid = checkReceipt(msg, storeCurrency);
  if (invalid) return invalid;
  return accept([
    {
      device: deviceId,
      id: msg.id,
      ts,
      rxTs,
      flags,
      type: msg.type,
      receipt: msg.receipt,
      kind: msg.kind,
      ...(msg.member !== undefined ? { member: msg.member } : {}),
      lines: msg.lines,
      total: msg.total,
      currency: msg.currency,
    },
  ]);
}

/**
 * Impinj IoT JSON has no message id: the payload's hash stands in, so a QoS1 retry of the
 * same bytes is a duplicate while a new batch is not.
 */
function decodeImpinjInput(
  deviceId: string,
  antennas: Readonly<Record<string, string>>,
  payload: Uint8Array,
  rxTs: number,
  config: GatewayConfig,
  untrusted: boolean,
): DecodedInput {
  const batch = decodeImpinjPayload(payload);
  const reads: TagRead[] = [];
  const refused: string[] = batch.rejected.map((r) => r.reason);
  for (const r of batch.reads) {
    const zone = antennas[String(r.antennaPort)];
    if (zone === undefined) {
      refused.push(`antenna ${r.antennaPort} is not mapped to a zone`);
      continue;
    }
    const t = stampTime(r.ts, rxTs, config.correlation, untrusted);
    if (!t.ok) refused.push(t.reason);
    else reads.push({ epc: r.epc, zone, rssi: r.rssiDbm, ts: t.value.ts });
  }
  const summary =
    refused.length > 0
      ? reject('schema', `${refused.length} Impinj event(s) refused: ${refused.slice(0, 3).join('; ')}`)
      : undefined;
  if (reads.length === 0) {
    // Keep-alives and status events carry no reads: accepted, nothing to journal.
    return { device: deviceId, result: summary ?? accept([]) };
  }
  const id = `impinj:${createHash('sha1').update(payload).digest('hex').slice(0, 20)}`;
  const events = foldTagReads(reads, { device: deviceId, id, rxTs, flags: untrusted ? EventFlags.clockUntrusted : 0 });
  return { device: deviceId, result: accept(events), ...(summary ? { partial: summary } : {}) };
}

function ok(device: string, event: DeviceEvent): DecodedInput {
  return { device, result: accept([event]) };
}

/** Which message types each device kind may send (status from everyone). */
function deviceSends(device: DeviceConfig, msg: DeviceMessage): boolean {
  if (msg.type === 'device.status') return true;
  switch (device.kind) {
    case 'door-counter':
      return msg.type === 'door.crossing' || msg.type === 'door.totals';
    case 'rfid-reader':
      return msg.type === 'rfid.reads' && (!('format' in device) || device.format !== 'impinj-iot');
    case 'pos':
      return msg.type === 'pos.receipt';
    case 'member-source':
      return msg.type === 'member.seen';
  }
}
