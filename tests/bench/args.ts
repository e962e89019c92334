/** `--key value` and `--flag` command-line arguments for the bench scripts. */
export function parseArgs(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out.set(a.slice(2), next);
      i++;
    } else out.set(a.slice(2), 'true');
  }
  return out;
}

export function num(args: Map<string, string>, key: string, fallback: number): number {
  const v = args.get(key);
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isFinite(n)) throw new RangeError(`--${key} must be a number: ${v}`);
  return n;
}
