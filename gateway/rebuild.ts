/**
 * `store-gateway rebuild`: throws away derived state (facts, buckets, snapshot) and
 * recomputes it from the journal, the source of truth. Run it with the gateway stopped.
 */

import { derivedWriters, openDerivedStores } from './derived-writers.js';
import { systemClock } from './infra/clock/index.js';
import type { GatewayConfig } from './infra/config/index.js';
import { GatewayMetrics } from './infra/metrics/index.js';
import { ReferenceData } from './infra/reference/index.js';
import type { Logger } from './log.js';
import { bucketRevisions, continueRevisions, Upstream } from './outputs/upstream/index.js';
import { Derivation } from './pipeline/derive/index.js';
import { Journal, openDb } from './pipeline/journal/index.js';

export async function rebuild(config: GatewayConfig, log: Logger): Promise<number> {
  const db = openDb(config.dataDir);
  try {
    const journal = new Journal(db);
    const started = Date.now();
    const metrics = new GatewayMetrics();
    const reference = new ReferenceData(db);
    const rebuildLog = log.child({ component: 'rebuild' });
    // Bucket revisions must keep rising across a rebuild, or HQ would keep its older numbers.
    const before = bucketRevisions(db);
    // The same writers as the running gateway (alerts, invitations): a rebuild re-tags their rows.
    const writers = derivedWriters(openDerivedStores({ db, config, clock: systemClock, reference }), metrics);
    const result = Derivation.rebuild({
      db,
      journal,
      config,
      clock: systemClock,
      log: rebuildLog,
      metrics,
      reference,
      writers,
    });
    const upstream = Upstream.create({ db, config, clock: systemClock, log: rebuildLog, metrics, reference });
    const { appliedTick } = db.prepare('SELECT applied_tick AS appliedTick FROM progress WHERE id = 1').get() as {
      appliedTick: number;
    };
    const resent = db.transaction(() => {
      continueRevisions(db, before);
      return upstream.scheduler.resendRange(0, Number.MAX_SAFE_INTEGER, appliedTick);
    })();
    console.log(
      `rebuilt from ${result.events} journal events in ${Date.now() - started} ms: ${result.facts} facts; ${resent} buckets queued for HQ`,
    );
    return 0;
  } finally {
    db.close();
  }
}
