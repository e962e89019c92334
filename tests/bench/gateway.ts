/** Starts the real gateway in this process on ephemeral 127.0.0.1 ports, for the benchmarks. */
import { type Clock, systemClock } from '../../gateway/infra/clock/index.js';
import type { GatewayConfig } from '../../gateway/infra/config/index.js';
import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';

export function benchConfig(dataDir: string): GatewayConfig {
  return loadConfig(undefined, { GW_MQTT_PORT: '0', GW_HTTP_PORT: '0', GW_DATA_DIR: dataDir, GW_HTTP_AUTH: 'off' });
}

export function startBenchGateway(
  dataDir: string,
  clock: Clock = systemClock,
  tickEveryMs = 20,
): Promise<RunningGateway> {
  return startGateway({ config: benchConfig(dataDir), clock, log: createLogger({ level: 'silent' }), tickEveryMs });
}

/** Journal rows not yet applied by correlation (0 when caught up). */
export function correlationLag(gateway: RunningGateway): number {
  const { applied } = gateway.db.prepare('SELECT applied_seq AS applied FROM progress WHERE id = 1').get() as {
    applied: number;
  };
  const { last } = gateway.db.prepare('SELECT COALESCE(MAX(seq), 0) AS last FROM journal').get() as { last: number };
  return last - applied;
}
