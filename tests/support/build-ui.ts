/** vitest globalSetup: builds the dashboard (gateway/ui → dist/ui) the browser tests load. */
import { build } from 'vite';
import { ROOT } from './gateway-process.js';

export default async function setup(): Promise<void> {
  await build({ configFile: `${ROOT}/gateway/ui/vite.config.ts`, logLevel: 'error' });
}
