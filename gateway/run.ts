/**
 * Running a gateway as a process: start it, stop it on SIGTERM/SIGINT within a deadline, and
 * say why it could not start. Shared by `store-gateway start` (cli.ts) and `demo` (demo.ts),
 * so the demo does not import the command line.
 */
import { join } from 'node:path';
import { type Clock, DeviceFollowingClock, systemClock } from './infra/clock/index.js';
import { ConfigError, type GatewayConfig } from './infra/config/index.js';
import type { Logger } from './log.js';
import { type RunningGateway, startGateway } from './main.js';
import { PortInUseError } from './ports.js';

/** Graceful shutdown must finish within this; after it the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 2000;

/** Runs a gateway until SIGTERM/SIGINT, then shuts it down within the deadline. */
export async function runUntilSignal(
  config: GatewayConfig,
  log: Logger,
  start: (config: GatewayConfig, log: Logger) => Promise<RunningGateway> = (c, l) =>
    startGateway({ config: c, log: l, clock: clockFromEnv(process.env.GW_CLOCK) }),
  onStarted?: (gateway: RunningGateway) => void,
): Promise<number> {
  let gateway: RunningGateway;
  try {
    gateway = await start(config, log);
  } catch (err) {
    console.error(describeError(err, config.dataDir));
    return err instanceof PortInUseError ? 2 : 3;
  }
  onStarted?.(gateway);
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ component: 'gateway', signal }, 'shutting down');
      const deadline = setTimeout(() => {
        log.error({ component: 'gateway' }, 'shutdown deadline passed; exiting');
        resolve(3);
      }, SHUTDOWN_DEADLINE_MS);
      deadline.unref();
      gateway.stop().then(
        () => {
          clearTimeout(deadline);
          resolve(0);
        },
        (err: unknown) => {
          log.error({ component: 'gateway', err }, 'shutdown failed');
          resolve(3);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}

/** `GW_CLOCK=follow-devices` replays a recorded or simulated day (see DeviceFollowingClock). */
function clockFromEnv(value: string | undefined): Clock {
  if (value === undefined || value === '' || value === 'system') return systemClock;
  if (value === 'follow-devices') return new DeviceFollowingClock();
  console.error(`GW_CLOCK must be "system" or "follow-devices", not ${JSON.stringify(value)}`);
  process.exit(1);
}

export function describeError(err: unknown, dataDir?: string): string {
  if (err instanceof ConfigError) return err.message;
  // A database that opened but fails on first use (damaged pages): name the file, no stack.
  const code = (err as { code?: unknown } | null)?.code;
  if (dataDir !== undefined && typeof code === 'string' && code.startsWith('SQLITE_') && err instanceof Error) {
    return `error: the store database ${join(dataDir, 'gateway.db')} failed: ${err.message} (${code}); if it is damaged, stop the gateway, move it aside and restore a backup`;
  }
  if (err instanceof PortInUseError) return `error: ${err.message}`;
  if (err instanceof Error) return `error: ${err.message}`;
  return `error: ${String(err)}`;
}
