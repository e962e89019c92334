/**
 * Config → Source, for the device kinds this folder drives. The shapes mirror the gateway's
 * device config (gateway/infra/config/schema.ts) structurally, so devices/ needs no gateway import:
 * a gateway DeviceConfig narrowed to a serial or gpio transport is assignable here.
 * MQTT devices are not Sources (the gateway's broker receives them).
 */
import { BeamCounter, type BeamCounterOptions } from './gpio/beam-counter.js';
import type { GpioPinFactory } from './gpio/pin.js';
import { type DoorCounterBase, SerialDoorCounter } from './serial/door-counter.js';
import { R2000Reader } from './serial/r2000-reader.js';
import type { DriverContext, Source } from './source.js';

export interface SerialDoorCounterConfig {
  readonly kind: 'door-counter';
  readonly transport: 'serial';
  readonly path: string;
  readonly baudRate?: number;
  readonly door: string;
  readonly zone: string;
}

export interface GpioDoorCounterConfig {
  readonly kind: 'door-counter';
  readonly transport: 'gpio';
  readonly pins: { readonly a: number; readonly b: number };
  readonly door: string;
  readonly zone: string;
}

export interface SerialRfidReaderConfig {
  readonly kind: 'rfid-reader';
  readonly transport: 'serial';
  readonly path: string;
  readonly baudRate?: number;
  readonly address?: number;
  readonly antennas: Readonly<Record<string, string>>;
}

export type DriverConfig = SerialDoorCounterConfig | GpioDoorCounterConfig | SerialRfidReaderConfig;

export interface DriverExtras {
  /** Persisted door counter bases (see SerialDoorCounter). */
  readonly doorBase?: readonly DoorCounterBase[];
  readonly onDoorBase?: (bases: readonly DoorCounterBase[]) => void;
  /** GPIO backend (default onoff). */
  readonly openPin?: GpioPinFactory;
}

export function createDeviceSource(ctx: DriverContext, config: DriverConfig, extras: DriverExtras = {}): Source {
  switch (config.kind) {
    case 'door-counter':
      if (config.transport === 'serial') {
        return new SerialDoorCounter(ctx, {
          path: config.path,
          door: config.door,
          zone: config.zone,
          ...(config.baudRate !== undefined ? { baudRate: config.baudRate } : {}),
          ...(extras.doorBase ? { base: extras.doorBase } : {}),
          ...(extras.onDoorBase ? { onBase: extras.onDoorBase } : {}),
        });
      }
      return new BeamCounter(ctx, {
        pins: config.pins,
        door: config.door,
        zone: config.zone,
        ...(extras.openPin ? { openPin: extras.openPin } : {}),
      } satisfies BeamCounterOptions);
    case 'rfid-reader':
      return new R2000Reader(ctx, {
        path: config.path,
        antennas: config.antennas,
        ...(config.baudRate !== undefined ? { baudRate: config.baudRate } : {}),
        ...(config.address !== undefined ? { address: config.address } : {}),
      });
    default: {
      const never: never = config;
      throw new Error(`unknown device config ${JSON.stringify(never)}`);
    }
  }
}
