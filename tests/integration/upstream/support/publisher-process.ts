/**
 * A gateway's outbox publisher as its own process, so a test can SIGKILL it mid-drain:
 *   tsx publisher-process.ts <dataDir> <natsUrl> <maxInFlight>
 * Prints "publishing" once started.
 */
import pino from 'pino';
import { systemClock } from '../../../../gateway/infra/clock/index.js';
import { NatsConnector, Outbox, OutboxPublisher } from '../../../../gateway/outputs/upstream/index.js';
import { openDb } from '../../../../gateway/pipeline/journal/index.js';

const [dataDir, url, inFlight] = process.argv.slice(2);
if (dataDir === undefined || url === undefined) {
  process.stderr.write('usage: publisher-process.ts <dataDir> <natsUrl> [maxInFlight]\n');
  process.exit(2);
}
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const db = openDb(dataDir);
const outbox = new Outbox(db, systemClock);
const connector = new NatsConnector({ url, reconnectTimeWaitMs: 100 }, log);
const publisher = new OutboxPublisher({
  outbox,
  connector,
  clock: systemClock,
  log,
  maxInFlight: Number(inFlight ?? 64),
});
publisher.start();
process.stdout.write('publishing\n');
process.once('SIGTERM', () => {
  void publisher.stop().then(async () => {
    await connector.stop();
    db.close();
    process.exit(0);
  });
});
