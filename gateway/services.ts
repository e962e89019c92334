/**
 * The gateway's lifecycle: an ordered list of services, started in order and stopped in
 * reverse, through one stop path whether the start failed half-way or the gateway is shut
 * down. A service whose start() throws is stopped too (its stop() must cope with a partial
 * start: a listener bound on one port but not the next), then every earlier one, in reverse.
 */
import type { Logger } from './log.js';

export interface Service {
  /** For the logs: `journal`, `mqtt`, `http`, ... */
  readonly name: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

/** A step that only has a stop (its start is the constructor that opened it). */
export function stopOnly(name: string, stop: () => void | Promise<void>): Service {
  return { name, start: () => undefined, stop };
}

export class Services {
  /** Begun, in order: stop() stops these, last first. */
  private readonly begun: Service[] = [];
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly list: readonly Service[],
    private readonly log: Logger,
  ) {
    const names = new Set(list.map((s) => s.name));
    if (names.size !== list.length) throw new Error('service names must be unique');
  }

  /** Starts each service in order; on a failure stops what was begun, in reverse, and rethrows. */
  start(): Promise<void> {
    this.starting ??= this.startAll();
    return this.starting;
  }

  /**
   * Stops every begun service, last first, once (later calls get the same promise). A stop
   * that throws is logged and the others still stop; the first such error rejects the promise.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async startAll(): Promise<void> {
    for (const service of this.list) {
      if (this.stopping) throw new Error(`stopped while starting, before ${service.name}`);
      this.begun.push(service);
      try {
        await service.start();
      } catch (err) {
        // The caller reports the error itself (cli.ts: a port in use exits 2 naming the setting).
        this.log.warn(
          { component: 'gateway', service: service.name },
          'a service failed to start: stopping the started ones',
        );
        await this.stop().catch(() => undefined);
        throw err;
      }
    }
  }

  private async stopAll(): Promise<void> {
    let first: { err: unknown } | undefined;
    for (const service of this.begun.toReversed()) {
      try {
        await service.stop();
      } catch (err) {
        this.log.error({ component: 'gateway', service: service.name, err }, 'service failed to stop');
        first ??= { err };
      }
    }
    if (first) throw first.err;
  }
}
