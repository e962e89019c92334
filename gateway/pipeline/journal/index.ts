export { type Db, openDb } from './db.js';
export type { InvitationRecorded, JournalEvent } from './events.js';
export { Journal, type JournalRow } from './journal.js';
export { type RejectedInput, type RejectedRow, RejectedStore } from './rejected.js';
