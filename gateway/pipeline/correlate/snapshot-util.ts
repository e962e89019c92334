/** Checks used when restoring snapshots: fail loudly on a foreign or damaged snapshot. */

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SnapshotError(`${what}: expected an object`);
  }
  return value as Record<string, unknown>;
}

export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new SnapshotError(`${what}: expected an array`);
  return value;
}

export function asNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new SnapshotError(`${what}: expected a number`);
  return value;
}
