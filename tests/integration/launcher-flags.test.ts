import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { launcherNodeFlags } from '../support/launcher.js';
import { tempDir } from '../support/tmp.js';

describe('the node flags the gateway runs with', () => {
  it('are on the launcher #! line; npm start runs the launcher, the demo passes the same, the image runs the launcher', () => {
    const flags = launcherNodeFlags();
    expect(flags).toContain('--max-semi-space-size=8');
    expect(flags).toContain('--no-lazy-feedback-allocation');
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    // `npm start` builds and runs the launcher (the built JS, as production); the demo runs the
    // sources through tsx with the same flags.
    expect(scripts.start).toMatch(/&& bin\/store-gateway\.js start$/);
    expect(scripts.demo).toContain(`node ${flags.join(' ')} --import tsx gateway/cli.ts`);
    // The image runs the launcher itself (`node bin/…` would skip the #! line and its flags).
    expect(readFileSync('Dockerfile', 'utf8')).toMatch(/^CMD \["bin\/store-gateway\.js", "start"\]$/m);
  });

  it('reach the node process the launcher starts (env -S on the #! line)', async () => {
    const dir = tempDir();
    const child = spawn('bin/store-gateway.js', ['start'], {
      env: { ...process.env, GW_MQTT_PORT: '0', GW_HTTP_PORT: '0', GW_DATA_DIR: dir.path, GW_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('gateway started')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`launcher exited with ${code}: ${out}`)));
      });
      const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
      for (const flag of launcherNodeFlags()) expect(argv).toContain(flag);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('close', resolve));
      dir.remove();
    }
  }, 60_000);
});
