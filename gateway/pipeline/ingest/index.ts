export {
  type CommitHook,
  type CommitSummary,
  type Done,
  GroupCommit,
  type InputOutcome,
  type PendingInput,
  StorageError,
} from './group-commit.js';
export { Ingest, type IngestContext } from './ingest.js';
export { decodeMqttInput, stampTime, type TimePolicy } from './mqtt-decode.js';
export { checkReceipt, RECEIPT_LIMITS } from './receipt-check.js';
