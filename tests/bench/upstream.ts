/**
 * Upstream drain: runs the colleague's tests/bench/upstream-drain.ts as a child (it is a
 * top-level script), echoes its table and picks out the drain and raw pipelined rates.
 * DESIGN target: drain ≥ 15,000 msg/s.
 */
import type { BenchRow } from './common.js';
import { Child } from './common.js';

export async function runUpstream(messages: number): Promise<{ rows: BenchRow[]; lines: string[] }> {
  const child = Child.script('./upstream-drain.ts', [String(messages)]);
  try {
    const code = await Promise.race([
      child.exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 120_000).unref()),
    ]);
    const out = child.stdout();
    if (code !== 0) throw new Error(`upstream-drain exited ${code}\n${out}\n${child.stderr()}`);
    const rateOf = (prefix: string): number => {
      const line = out.split('\n').find((l) => l.startsWith(`| ${prefix}`));
      const cells = line?.split('|').map((c) => c.trim()) ?? [];
      return Number((cells[4] ?? '').replaceAll(',', ''));
    };
    const drain = rateOf('outbox drain');
    // The trailing space tells this row from "…, 64 in flight, nats.js defaults".
    const raw = rateOf('raw JetStream publish, 64 in flight ');
    const rawDefaults = rateOf('raw JetStream publish, 64 in flight, nats.js defaults');
    const held = out.match(/stream RETAIL holds (\d+) messages/)?.[1];
    return {
      rows: [
        {
          bench: 'upstream',
          name: 'upstream: outbox drain msg/s',
          measured: drain,
          unit: 'msg/s',
          reference: { name: 'raw JetStream, 64 in flight', value: raw },
          target: { op: '>=', value: 15_000, of: 'value' },
          note: `${messages} messages; stream holds ${held ?? '?'}; reference with the gateway's client options (noAsyncTraces), with nats.js defaults ${Math.round(rawDefaults)} msg/s`,
        },
      ],
      lines: out
        .trim()
        .split('\n')
        .filter((l) => l.trim() !== ''),
    };
  } finally {
    await child.kill();
  }
}
