/**
 * The built-in demo store's gateway in this process, on ephemeral ports, with dashboard
 * users whose password is `<name>-password` (for the browser tests that sign in).
 */

import { loadConfig } from '../../gateway/infra/config/index.js';
import { createLogger } from '../../gateway/log.js';
import { type RunningGateway, startGateway } from '../../gateway/main.js';
import { hashPassword } from '../../gateway/pipeline/broker/credentials.js';

export type TestUsers = Readonly<Record<string, 'manager' | 'staff' | 'viewer'>>;

export function startDemoStore(dataDir: string, users: TestUsers): Promise<RunningGateway> {
  const base = loadConfig(undefined, { GW_MQTT_PORT: '0', GW_HTTP_PORT: '0', GW_DATA_DIR: dataDir });
  const config = {
    ...base,
    http: {
      ...base.http,
      auth: {
        users: Object.entries(users).map(([name, role]) => ({
          name,
          role,
          passwordHash: hashPassword(`${name}-password`),
        })),
        sessionTtlMs: 3_600_000,
        secureCookies: false,
      },
    },
  };
  return startGateway({ config, log: createLogger({ level: 'silent' }) });
}
