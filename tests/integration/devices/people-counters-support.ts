/** Shared helpers for the network people counter tests: a gateway on a manual clock, its API. */
import type { ManualClock } from '../../../gateway/infra/clock/index.js';
import type { RunningGateway } from '../../../gateway/main.js';

// Noon in Shanghai (UTC+8) on a Monday.
export const NOON = Date.parse('2026-11-23T12:00:00+08:00');
export const at = (hhmmss: string): number => Date.parse(`2026-11-23T${hhmmss}+08:00`);

export const STORE_YAML = (dataDir: string, devices: string): string => `
version: 1
store: { id: s001, name: "店", timezone: Asia/Shanghai, currency: CNY, openingTime: "09:30", vipTier: 4, locale: zh-CN }
mqtt: { port: 0, allowAnonymous: true }
http: { port: 0 }
dataDir: ${dataDir}
zones:
  entrance: { kind: entrance }
devices:
  app: { kind: member-source, transport: mqtt }
${devices}
`;

export interface DeviceHealth {
  id: string;
  rejected: number;
  duplicates: number;
  skewMs: number | null;
  fw: string | null;
  link: { state: string; detail: string | null; reconnects: number } | null;
}

export class GatewayProbe {
  constructor(
    private readonly gateway: () => RunningGateway,
    readonly clock: ManualClock,
  ) {}

  api(path: string): string {
    return `http://127.0.0.1:${this.gateway().httpPort}/api/v1${path}`;
  }

  async device(id: string): Promise<DeviceHealth | undefined> {
    const body = (await (await fetch(this.api('/devices'))).json()) as { devices: DeviceHealth[] };
    return body.devices.find((d) => d.id === id);
  }

  /** Σ n of journaled door.crossing events of a device in a direction. */
  journaled(device: string, dir: 'in' | 'out'): number {
    return (
      this.gateway()
        .db.prepare(
          "SELECT COALESCE(SUM(json_extract(body, '$.n')), 0) AS n FROM journal WHERE device = ? AND type = 'door.crossing' AND json_extract(body, '$.dir') = ?",
        )
        .get(device, dir) as { n: number }
    ).n;
  }

  /** 15-minute visitors between two local times of the test day, by bucket start (HH:MM). */
  async visitors(from: string, to: string): Promise<{ total: number; byBucket: Record<string, number> }> {
    const q = `/funnel?from=2026-11-23T${from}:00%2B08:00&to=2026-11-23T${to}:00%2B08:00&granularity=15m`;
    const body = (await (await fetch(this.api(q))).json()) as {
      buckets: { start: string; visitors: number }[];
      totals: { visitors: number };
    };
    const byBucket: Record<string, number> = {};
    for (const b of body.buckets) if (b.visitors !== 0) byBucket[b.start.slice(11, 16)] = b.visitors;
    return { total: body.totals.visitors, byBucket };
  }
}
