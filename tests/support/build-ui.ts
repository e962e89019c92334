/**
 * vitest globalSetup: builds the dashboards the browser tests load: the store's
 * (gateway/ui → dist/ui) and HQ's (cloud-sink/ui → dist/hq-ui), about a second each.
 */
import { build } from 'vite';
import { ROOT } from './gateway-process.js';

export default async function setup(): Promise<void> {
  await build({ configFile: `${ROOT}/gateway/ui/vite.config.ts`, logLevel: 'error' });
  await build({ configFile: `${ROOT}/cloud-sink/ui/vite.config.ts`, logLevel: 'error' });
}
