/**
 * `store-gateway demo`: the real gateway on the built-in demo-store config, with a simulated
 * store day feeding it over real MQTT.
 */
import { join } from 'node:path';
import { runUntilSignal } from './cli.js';
import { loadConfig } from './config/index.js';
import { createLogger } from './log.js';

export interface DemoOptions {
  readonly config: string | undefined;
  readonly speed: number | undefined;
  readonly seed: number | undefined;
  readonly date: string | undefined;
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const env = { ...process.env, GW_DATA_DIR: process.env.GW_DATA_DIR ?? join(process.cwd(), 'data', 'demo') };
  const config = loadConfig(options.config, env);
  const log = createLogger({ pretty: process.stdout.isTTY, level: process.env.GW_LOG_LEVEL ?? 'info' });
  return runUntilSignal(config, log, undefined, (gateway) => {
    console.log(`\n  store-gateway demo — store ${config.store.id} (${config.store.name})`);
    console.log(`  dashboard + API  http://127.0.0.1:${gateway.httpPort}/`);
    console.log(`  live funnel      http://127.0.0.1:${gateway.httpPort}/api/v1/live`);
    console.log(`  MQTT             mqtt://127.0.0.1:${gateway.mqttPort}\n`);
  });
}
