/**
 * The gateway's lifecycle (gateway/services.ts): start in order, stop in reverse, one stop
 * path for a failed start and for shutdown, each stop once.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../gateway/log.js';
import { type Service, Services, stopOnly } from '../../../gateway/services.js';

const log = createLogger({ level: 'silent' });

/** Services that write what happens to them into `calls`, in order. */
function recorded(names: readonly string[], failStart?: string, failStop?: string) {
  const calls: string[] = [];
  const list: Service[] = names.map((name) => ({
    name,
    start: async () => {
      calls.push(`start ${name}`);
      await Promise.resolve();
      if (name === failStart) throw new Error(`${name} cannot start`);
    },
    stop: () => {
      calls.push(`stop ${name}`);
      if (name === failStop) throw new Error(`${name} cannot stop`);
    },
  }));
  return { calls, list };
}

describe('Services', () => {
  it('starts in order and stops in reverse', async () => {
    const { calls, list } = recorded(['journal', 'mqtt', 'http', 'ticker']);
    const services = new Services(list, log);
    await services.start();
    expect(calls).toEqual(['start journal', 'start mqtt', 'start http', 'start ticker']);
    calls.length = 0;
    await services.stop();
    expect(calls).toEqual(['stop ticker', 'stop http', 'stop mqtt', 'stop journal']);
  });

  it('a failed start stops the failed service and the earlier ones in reverse, never the later ones', async () => {
    const { calls, list } = recorded(['journal', 'mqtt', 'http', 'ticker'], 'http');
    const services = new Services(list, log);
    await expect(services.start()).rejects.toThrow('http cannot start');
    expect(calls).toEqual(['start journal', 'start mqtt', 'start http', 'stop http', 'stop mqtt', 'stop journal']);
  });

  it('stops each service once, however often stop is called', async () => {
    const { calls, list } = recorded(['journal', 'http']);
    const services = new Services(list, log);
    await services.start();
    calls.length = 0;
    const first = services.stop();
    const second = services.stop();
    await Promise.all([first, second]);
    await services.stop();
    expect(second).toBe(first);
    expect(calls).toEqual(['stop http', 'stop journal']);
  });

  it('stop after a failed start stops nothing twice', async () => {
    const { calls, list } = recorded(['journal', 'mqtt'], 'mqtt');
    const services = new Services(list, log);
    await expect(services.start()).rejects.toThrow('mqtt cannot start');
    await services.stop();
    expect(calls.filter((c) => c.startsWith('stop'))).toEqual(['stop mqtt', 'stop journal']);
  });

  it('a stop that throws does not keep the earlier services open, and the error is reported', async () => {
    const { calls, list } = recorded(['journal', 'upstream', 'http'], undefined, 'upstream');
    const services = new Services(list, log);
    await services.start();
    calls.length = 0;
    await expect(services.stop()).rejects.toThrow('upstream cannot stop');
    expect(calls).toEqual(['stop http', 'stop upstream', 'stop journal']);
  });

  it('a service with only a stop starts as a no-op', async () => {
    const calls: string[] = [];
    const services = new Services(
      [stopOnly('journal', () => void calls.push('closed')), stopOnly('derivation', () => void calls.push('done'))],
      log,
    );
    await services.start();
    expect(calls).toEqual([]);
    await services.stop();
    expect(calls).toEqual(['done', 'closed']);
  });

  it('refuses two services of one name (the logs could not tell them apart)', () => {
    const { list } = recorded(['http', 'http']);
    expect(() => new Services(list, log)).toThrow('unique');
  });
});
