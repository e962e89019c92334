/**
 * Another process holding the gateway's database write lock (an operator's sqlite3 shell in
 * a transaction, a backup tool): BEGIN EXCLUSIVE, print "locked", hold the lock until a line
 * "release" arrives on stdin, COMMIT, print "released", exit.
 */
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';

const path = process.argv[2];
if (path === undefined) {
  console.error('usage: db-locker <gateway.db>');
  process.exit(1);
}
const db = new Database(path, { fileMustExist: true, timeout: 10_000 });
db.exec('BEGIN EXCLUSIVE');
// Write something so the lock is a real writer's, not only a reserved one.
db.exec('CREATE TABLE IF NOT EXISTS drill_lock (at INTEGER)');
db.prepare('INSERT INTO drill_lock (at) VALUES (?)').run(Date.now());
process.stdout.write('locked\n');
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'release') return;
  db.exec('COMMIT');
  db.close();
  process.stdout.write('released\n');
  lines.close();
});
