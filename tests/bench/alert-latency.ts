/**
 * VIP alert latency: a card read at the entrance antenna published → the alert received by
 * a subscribed staff client, while a publisher process sends ~2,000 door crossings/s.
 * Each read is a different tier-5 member, so re-alert suppression never hides one.
 * The gateway runs in its own process from dist/ (tests/bench/gateway-process.ts).
 * DESIGN target: p99 < 20 ms.
 *
 *   ./node_modules/.bin/tsx tests/bench/alert-latency.ts [--reads 300] [--smoke]
 */
import mqtt from 'mqtt';
import { tempDir } from '../support/tmp.js';
import { num, parseArgs } from './args.js';
import { type BenchRow, Child, sleep, summarize } from './common.js';
import { startGatewayProcess } from './gateway-process.js';

/** 14:00 in Shanghai on a Monday: the store is open. */
const T0 = Date.parse('2026-11-23T14:00:00+08:00');
const card = (i: number) => `E28068940000501400${i.toString(16).toUpperCase().padStart(6, '0')}`;

export interface AlertSizes {
  readonly reads: number;
  readonly backgroundRate: number;
}

export async function runAlertLatency(sizes: AlertSizes): Promise<{ rows: BenchRow[]; lines: string[] }> {
  const dir = tempDir('bench-alert-');
  // The gateway in its own process (built JS), as in a store: the staff phone and the reader
  // below are other programs, not callbacks sharing its event loop. Its clock follows the
  // devices' times, which are all T0, so the store is open whatever the wall clock says.
  const gateway = await startGatewayProcess(dir.path, { GW_CLOCK: 'follow-devices' });
  let background: Child | undefined;
  const clients: mqtt.MqttClient[] = [];
  try {
    const members = Array.from({ length: sizes.reads }, (_, i) => ({
      id: `M-BENCH-${i}`,
      name: `Bench VIP ${i}`,
      tier: 5,
      cards: [card(i)],
    }));
    const put = await fetch(`http://127.0.0.1:${gateway.httpPort}/api/v1/members`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(members),
    });
    if (put.status !== 200) throw new Error(`PUT /members: ${put.status} ${await put.text()}`);

    const url = `mqtt://127.0.0.1:${gateway.mqttPort}`;
    const staff = await mqtt.connectAsync(url, { clientId: 'staff-phone-bench', reconnectPeriod: 0 });
    clients.push(staff);
    const reader = await mqtt.connectAsync(url, { clientId: 'rfid-fr', reconnectPeriod: 0 });
    clients.push(reader);
    const waiting = new Map<string, (at: number) => void>();
    staff.on('message', (_topic, payload) => {
      const at = performance.now();
      // DESIGN's vip.arrival: `member` is the profile object with the member id.
      const msg = JSON.parse(payload.toString()) as { type?: string; member?: { id?: string } };
      if (msg.type === 'vip.arrival' && msg.member?.id) waiting.get(msg.member.id)?.(at);
    });
    await staff.subscribeAsync('retail/s001/alerts/vip', { qos: 1 });

    // Background traffic for the whole measurement (bounded: enough messages for the reads).
    const backgroundCount = Math.ceil(sizes.backgroundRate * (sizes.reads * 0.1 + 10));
    background = Child.script('./publisher.ts', [
      '--port',
      String(gateway.mqttPort),
      '--count',
      String(backgroundCount),
      '--rate',
      String(sizes.backgroundRate),
      '--device',
      'door-1',
      '--ts',
      new Date(T0).toISOString(),
      '--prefix',
      'bg',
    ]);
    await background.waitFor(/connected/, 'background publisher');
    await sleep(500);

    const latencies: number[] = [];
    let missed = 0;
    const ts = new Date(T0).toISOString();
    for (let i = 0; i < sizes.reads; i++) {
      const member = `M-BENCH-${i}`;
      const received = new Promise<number | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 2000);
        waiting.set(member, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
      const sent = performance.now();
      reader.publish(
        'retail/s001/rfid/rfid-fr/reads',
        JSON.stringify({
          v: 1,
          type: 'rfid.reads',
          id: `vip-${i}`,
          ts,
          reads: [{ epc: card(i), ant: 5, rssi: -50, ts }],
        }),
        { qos: 1 },
      );
      const at = await received;
      waiting.delete(member);
      if (at === undefined) missed++;
      else latencies.push(at - sent);
      await sleep(20);
    }
    const s = summarize(latencies);
    // The background publisher must still be sending, or the last reads ran without load.
    const stillSending = await Promise.race([background.exited.then(() => false), sleep(0).then(() => true)]);
    const note = `${s.n} alerts, ${missed} missed; background ${sizes.backgroundRate} msg/s${stillSending ? '' : ' (ended early)'}`;
    return {
      rows: [
        { bench: 'alert-latency', name: 'alert latency p50', measured: s.p50, unit: 'ms', note },
        {
          bench: 'alert-latency',
          name: 'alert latency p99',
          measured: missed > 0 ? Number.POSITIVE_INFINITY : s.p99,
          unit: 'ms',
          target: { op: '<', value: 20, of: 'value' },
          note: missed > 0 ? `${missed} alerts never arrived` : undefined,
        },
        { bench: 'alert-latency', name: 'alert latency max', measured: s.max, unit: 'ms' },
      ],
      lines: [],
    };
  } finally {
    await background?.kill();
    for (const c of clients) await c.endAsync(true);
    await gateway.stop();
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs(process.argv.slice(2));
  const smoke = args.has('smoke');
  const result = await runAlertLatency({
    reads: num(args, 'reads', smoke ? 20 : 300),
    backgroundRate: num(args, 'rate', 2000),
  });
  console.log(JSON.stringify(result, null, 2));
}
