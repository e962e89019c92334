/**
 * `store-gateway rebuild`: throws away derived state (facts, buckets, snapshot) and
 * recomputes it from the journal, the source of truth. Run it with the gateway stopped.
 */
import { systemClock } from './clock/index.js';
import type { GatewayConfig } from './config/index.js';
import { Derivation } from './derive/index.js';
import { Journal, openDb } from './journal/index.js';
import type { Logger } from './log.js';
import { GatewayMetrics } from './metrics/index.js';
import { ReferenceData } from './reference/index.js';

export async function rebuild(config: GatewayConfig, log: Logger): Promise<number> {
  const db = openDb(config.dataDir);
  try {
    const journal = new Journal(db);
    const started = Date.now();
    const result = Derivation.rebuild({
      db,
      journal,
      config,
      clock: systemClock,
      log: log.child({ component: 'rebuild' }),
      metrics: new GatewayMetrics(),
      reference: new ReferenceData(db),
    });
    console.log(`rebuilt from ${result.events} journal events in ${Date.now() - started} ms: ${result.facts} facts`);
    return 0;
  } finally {
    db.close();
  }
}
