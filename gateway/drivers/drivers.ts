/**
 * Starts a Source (devices/) for every configured device the gateway reads itself — serial
 * door counters and R2000 readers, GPIO beam counters, Impinj HTTP streams — and feeds
 * their events into ingest. A failing device degrades and is reported; it never takes the
 * gateway down.
 */
import {
  createDeviceSource,
  type DriverConfig,
  type DriverContext,
  type GpioPinFactory,
  ImpinjStreamClient,
  type Source,
  type SourceStatus,
} from '../../devices/index.js';
import type { Clock } from '../clock/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { Ingest } from '../ingest/index.js';
import type { Logger } from '../log.js';

export interface DriverHost {
  readonly config: GatewayConfig;
  readonly ingest: Ingest;
  readonly clock: Clock;
  readonly log: Logger;
  /** Connection state changes of a driver (device health, the manager's feed). */
  readonly onStatus: (device: string, status: SourceStatus) => void;
  /** GPIO backend (tests inject a double; default onoff). */
  readonly openPin?: GpioPinFactory;
}

export function driverContext(host: DriverHost, device: string): DriverContext {
  return {
    device,
    log: host.log.child({ device }),
    clock: host.clock,
    emit: (events, done) => host.ingest.fromDriver(device, events, done),
    reject: (r) =>
      host.ingest.reject(
        { device, source: `driver:${device}`, code: r.code, reason: r.reason, raw: r.raw },
        () => undefined,
      ),
    status: (s) => host.onStatus(device, s),
  };
}

export class Drivers {
  private readonly sources: Source[] = [];
  private readonly abort = new AbortController();

  constructor(private readonly host: DriverHost) {}

  /** Starts every driver in the background; a driver that cannot start reports an error status. */
  start(): void {
    for (const [device, config] of Object.entries(this.host.config.devices)) {
      const ctx = driverContext(this.host, device);
      let source: Source | undefined;
      if (config.transport === 'serial' || config.transport === 'gpio') {
        source = createDeviceSource(
          ctx,
          config as DriverConfig,
          this.host.openPin ? { openPin: this.host.openPin } : {},
        );
      } else if (config.transport === 'http-stream') {
        source = new ImpinjStreamClient(ctx, {
          url: config.url,
          antennas: config.antennas,
          ...(config.username && config.password
            ? { auth: { username: config.username, password: config.password } }
            : {}),
        });
      }
      if (!source) continue;
      this.sources.push(source);
      source.start(this.abort.signal).catch((err: unknown) => {
        this.host.log.error({ device, err }, 'device driver failed');
        this.host.onStatus(device, { state: 'error', detail: String((err as Error).message ?? err), reconnects: 0 });
      });
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.sources.map((s) => s.stop()));
  }

  get count(): number {
    return this.sources.length;
  }
}
