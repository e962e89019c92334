export { type Db, openDb } from './db.js';
export { Journal, type JournalRow } from './journal.js';
export { type RejectedInput, type RejectedRow, RejectedStore } from './rejected.js';
