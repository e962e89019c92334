/**
 * Plays a timeline of device messages into an MQTT broker: in time order, scenario time
 * mapped onto wall time divided by `speed`, one MQTT connection per device whose client id is
 * the device id (as the real devices would connect). At speed 0 or Infinity it publishes as
 * fast as the broker acknowledges, with a bounded number of messages in flight.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { parseDeviceTopic } from '../protocols/index.js';
import type { TimedMessage } from './day/types.js';

/** Opens the MQTT connection of one device. */
export type ClientFactory = (deviceId: string) => Promise<MqttClient>;

export interface PublishProgress {
  readonly published: number;
  readonly acked: number;
  readonly total: number;
  /** Scenario time of the latest published message. */
  readonly scenarioAt: number;
}

export interface PublishOptions {
  /** Scenario time per wall time: 1 = real time, 60 = one scenario minute per second; 0 or Infinity = no pacing. */
  readonly speed?: number;
  /** Scenario time (epoch ms) to start at; earlier messages are skipped. Default: the first message's. */
  readonly startAt?: number;
  readonly qos?: 0 | 1 | 2;
  /** Published but not yet acknowledged messages, across all devices (default 64). */
  readonly maxInFlight?: number;
  /** Stops publishing; in-flight messages get a moment to be acknowledged, then connections close. */
  readonly signal?: AbortSignal;
  /** Extra MQTT client options per device (credentials, keepalive, …). */
  readonly clientOptions?: (deviceId: string) => IClientOptions;
  /** Wall clock (epoch ms), injectable. */
  readonly now?: () => number;
  /** Called once when pacing starts: which wall time corresponds to which scenario time. */
  readonly onStart?: (origin: { readonly wall: number; readonly scenario: number; readonly speed: number }) => void;
  readonly onProgress?: (progress: PublishProgress) => void;
}

export interface PublishReport {
  readonly published: number;
  readonly acked: number;
  readonly skipped: number;
  readonly aborted: boolean;
  readonly elapsedMs: number;
  readonly devices: readonly string[];
}

const DRAIN_ON_ABORT_MS = 2000;

/** Maps scenario time to the wall time it is due at. */
export function wallTimeOf(scenarioAt: number, origin: { wall: number; scenario: number }, speed: number): number {
  if (speed === 0 || !Number.isFinite(speed)) return origin.wall;
  return origin.wall + (scenarioAt - origin.scenario) / speed;
}

/** Connects device clients to a broker URL (`mqtt://host:port`), failing fast if it is unreachable. */
export function urlClientFactory(url: string, extra?: (deviceId: string) => IClientOptions): ClientFactory {
  return (deviceId) =>
    connectAsync(
      url,
      {
        clientId: deviceId,
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
        ...extra?.(deviceId),
      },
      false,
    );
}

export async function publishTimeline(
  target: string | ClientFactory,
  messages: readonly TimedMessage[],
  options: PublishOptions = {},
): Promise<PublishReport> {
  const speed = options.speed ?? 1;
  if (Number.isNaN(speed) || speed < 0) throw new RangeError(`speed must be ≥ 0: ${speed}`);
  const qos = options.qos ?? 1;
  const maxInFlight = Math.max(1, options.maxInFlight ?? 64);
  const now = options.now ?? Date.now;
  const connect = typeof target === 'string' ? urlClientFactory(target, options.clientOptions) : target;
  const signal = options.signal;

  const first = options.startAt === undefined ? 0 : messages.findIndex((m) => m.at >= (options.startAt ?? 0));
  const begin = first < 0 ? messages.length : first;
  const origin = { wall: now(), scenario: options.startAt ?? messages[0]?.at ?? 0 };
  options.onStart?.({ ...origin, speed });

  const clients = new Map<string, Promise<MqttClient>>();
  const clientFor = (device: string) => {
    let client = clients.get(device);
    if (!client) {
      client = connect(device);
      clients.set(device, client);
    }
    return client;
  };

  let published = 0;
  let acked = 0;
  let inFlight = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const settled = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const waitForAck = () => new Promise<void>((resolve) => (wake = resolve));
  // An abort must also end a wait for acknowledgements that may never come.
  signal?.addEventListener('abort', settled, { once: true });

  try {
    for (let i = begin; i < messages.length && !signal?.aborted && !failure; i++) {
      const m = messages[i] as TimedMessage;
      const delay = wallTimeOf(m.at, origin, speed) - now();
      if (delay > 1 && !(await pause(delay, signal))) break;
      while (inFlight >= maxInFlight && !failure && !signal?.aborted) await waitForAck();
      if (failure || signal?.aborted) break;
      const topic = parseDeviceTopic(m.topic);
      if (!topic.ok) throw new Error(`message ${i}: ${topic.reason}`);
      const client = await clientFor(topic.value.device);
      inFlight += 1;
      published += 1;
      client.publish(m.topic, JSON.stringify(m.payload), { qos }, (err) => {
        inFlight -= 1;
        if (err) failure ??= err;
        else {
          acked += 1;
          options.onProgress?.({ published, acked, total: messages.length - begin, scenarioAt: m.at });
        }
        settled();
      });
    }
    const drainUntil = signal?.aborted ? now() + DRAIN_ON_ABORT_MS : Number.POSITIVE_INFINITY;
    while (inFlight > 0 && !failure && now() < drainUntil) {
      await Promise.race([waitForAck(), sleep(Math.min(250, Math.max(1, drainUntil - now())))]);
    }
  } finally {
    signal?.removeEventListener('abort', settled);
    const force = inFlight > 0 || failure !== undefined;
    await Promise.allSettled(
      [...clients.values()].map(async (c) => {
        const client = await c;
        await client.endAsync(force);
      }),
    );
  }
  if (failure) throw failure;
  return {
    published,
    acked,
    skipped: begin,
    aborted: signal?.aborted ?? false,
    elapsedMs: now() - origin.wall,
    devices: [...clients.keys()],
  };
}

/** Waits `ms`, or less when aborted; false when aborted. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
    return true;
  } catch {
    return false;
  }
}
