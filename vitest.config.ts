import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/bench/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn brokers, gateways and ptys; two cores cannot run many at once.
    maxWorkers: 2,
    pool: 'forks',
    // Debian installs nats-server in /usr/sbin, which a non-root user's PATH leaves out.
    env: { PATH: `${process.env.PATH ?? ''}:/usr/sbin` },
    // The dashboard tests load the built UI: build it once per run (about a second).
    globalSetup: ['tests/support/build-ui.ts'],
  },
});
