/**
 * A gateway that cannot start (its HTTP port is taken, after its MQTT port was bound) stops
 * what it started and leaves no server, socket or timer behind; a stopped gateway neither.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../../gateway/infra/config/defaults.js';
import { parseConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { startGateway } from '../../gateway/main.js';
import { PortInUseError } from '../../gateway/ports.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The process's open handles that a gateway could leave: servers, sockets, timers. */
function openHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (!['TCPServerWrap', 'TCPSocketWrap', 'Timeout', 'Immediate'].includes(kind)) continue;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

async function listenOnFreePort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', () => resolve()));
  return { server, port: (server.address() as { port: number }).port };
}

/** Kinds of handle of which more are open now than `before` (timers of the runner may end meanwhile). */
function leftOpen(before: Record<string, number>): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [kind, n] of Object.entries(openHandles()))
    if (n > (before[kind] ?? 0)) grown[kind] = n - (before[kind] ?? 0);
  return grown;
}

/** The built-in demo-store config (its devices, drivers and timers) on these ports. */
function start(dataDir: string, ports: { mqtt: number; http: number }) {
  const env = { GW_MQTT_PORT: String(ports.mqtt), GW_HTTP_PORT: String(ports.http), GW_DATA_DIR: dataDir };
  return startGateway({
    config: parseConfig(DEFAULT_CONFIG_YAML, 'test', env),
    log: createLogger({ level: 'silent' }),
  });
}

/** Lets closed handles leave the event loop's list. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('gateway lifecycle', () => {
  it('a taken HTTP port: the start fails, the MQTT port it bound is free again, no handle is left', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const blocker = await listenOnFreePort();
    cleanups.push(() => new Promise((resolve) => blocker.server.close(resolve)));
    const mqttPort = await freePort();
    await settle();
    const before = openHandles();

    const failed = await start(dir.path, { mqtt: mqttPort, http: blocker.port }).then(
      async (gateway) => {
        await gateway.stop();
        return undefined;
      },
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(PortInUseError);
    expect((failed as PortInUseError).message).toContain('http.port');

    await settle();
    expect(leftOpen(before)).toEqual({});
    // The MQTT listener it had bound is closed: the port can be bound again.
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(mqttPort, '0.0.0.0', () => resolve());
    });
    await new Promise((resolve) => again.close(resolve));
  });

  it('a started gateway, once stopped, leaves no handle either', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    await settle();
    const before = openHandles();
    const gateway = await start(dir.path, { mqtt: 0, http: 0 });
    expect(gateway.mqttPort).toBeGreaterThan(0);
    expect(gateway.httpPort).toBeGreaterThan(0);
    await gateway.stop();
    await gateway.stop();
    await settle();
    expect(leftOpen(before)).toEqual({});
    expect(gateway.db.open).toBe(false);
  });
});
