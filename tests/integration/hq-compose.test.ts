/**
 * The HQ deployment files, checked as text (there is no Docker engine on CI): compose.yaml
 * has the gateway, NATS, cloud-sink and PostgreSQL wired to each other, and
 * Dockerfile.cloud-sink is a multi-stage, non-root, tini image of cloud-sink alone, whose
 * build step compiles with only the directories it copies (no gateway/).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadHqConfig } from '../../cloud-sink/config.js';
import { ROOT } from '../support/gateway-process.js';
import { tempDir } from '../support/tmp.js';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  env_file?: string[];
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const dockerfile = readFileSync(join(ROOT, 'Dockerfile.cloud-sink'), 'utf8');
/** compose's ${VAR:?…} and ${VAR:-default}, as compose would substitute them. */
const substitute = (value: string, env: Record<string, string>) =>
  value.replace(/\$\{(\w+)(?::[?-]([^}]*))?\}/g, (_, name: string, fallback?: string) => env[name] ?? fallback ?? '');

describe('compose.yaml (a real HQ)', () => {
  const { services } = compose;

  it('has the gateway, NATS, cloud-sink and PostgreSQL services with their images', () => {
    expect(Object.keys(services).sort()).toEqual(['cloud-sink', 'gateway', 'nats', 'postgres']);
    expect(services.nats?.image).toMatch(/^nats:2\.\d+/);
    expect(services.postgres?.image).toMatch(/^postgres:\d+/);
    expect(services['cloud-sink']?.build).toEqual({ context: '.', dockerfile: 'Dockerfile.cloud-sink' });
    expect(services.gateway?.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    for (const name of ['cloud-sink', 'gateway'] as const) expect(services[name]?.image).toMatch(/^store-gateway\//);
    for (const file of ['Dockerfile', 'Dockerfile.cloud-sink']) expect(existsSync(join(ROOT, file))).toBe(true);
  });

  it('runs NATS with JetStream on a volume and the nats-config identities', () => {
    const nats = services.nats as Service;
    expect(nats.command).toEqual(['-js', '-sd', '/data', '-c', '/etc/nats/nats-server.conf']);
    expect(nats.volumes).toContain('nats-data:/data');
    expect(nats.volumes).toContain('./nats-identities/nats-server.conf:/etc/nats/nats-server.conf:ro');
    expect(nats.ports).toContain('4222:4222');
  });

  it('points cloud-sink at NATS and PostgreSQL with settings cloud-sink accepts', () => {
    const sink = services['cloud-sink'] as Service;
    const env = Object.fromEntries(
      Object.entries(sink.environment ?? {}).map(([k, v]) => [k, substitute(String(v), { POSTGRES_PASSWORD: 'pw' })]),
    );
    expect(env.HQ_NATS_URL).toBe('nats://nats:4222');
    expect(env.DATABASE_URL).toBe('postgres://hq:pw@postgres:5432/hq');
    const pg = services.postgres?.environment ?? {};
    expect(pg.POSTGRES_DB).toBe('hq');
    expect(pg.POSTGRES_USER).toBe('hq');
    // The password comes from the operator's environment, never from the file.
    expect(pg.POSTGRES_PASSWORD).toBe(['$', '{POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}'].join(''));
    const config = loadHqConfig({ ...env, HQ_NATS_USER: 'hq', HQ_NATS_PASS: 'x' });
    expect(config.databaseUrl).toBe('postgres://hq:pw@postgres:5432/hq');
    expect(config.http.port).toBe(8090);
    expect(config.http.auth).toBe('on');
    expect(config.dataDir).toBe('/data');
    expect(sink.env_file).toEqual(['./nats-identities/hq.env']);
    expect(sink.volumes).toContain('hq-data:/data');
    expect(sink.ports).toContain('8090:8090');
    expect(sink.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      nats: { condition: 'service_started' },
    });
    expect(services.postgres?.healthcheck?.test.join(' ')).toContain('pg_isready');
  });

  it('gives the gateway its own store identity and the same NATS', () => {
    const gateway = services.gateway as Service;
    expect(gateway.environment?.GW_NATS_URL).toBe('nats://nats:4222');
    expect(gateway.environment?.GW_STORE_ID).toBe('s001');
    expect(gateway.env_file).toEqual(['./nats-identities/s001.env']);
    expect(gateway.depends_on).toHaveProperty('nats');
  });

  it('declares every named volume it mounts', () => {
    const named = Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0] as string)
      .filter((v) => !v.startsWith('.') && !v.startsWith('/'));
    expect(Object.keys(compose.volumes).sort()).toEqual([...new Set(named)].sort());
  });
});

describe('Dockerfile.cloud-sink', () => {
  const stages = [...dockerfile.matchAll(/^FROM (\S+) AS (\w+)$/gm)].map((m) => m[2]);

  it('is multi-stage: a build stage with the compiler, a runtime stage without', () => {
    expect(stages).toEqual(['build', 'runtime']);
    const [build, runtime] = dockerfile.split(/^FROM .* AS runtime$/m) as [string, string];
    expect(build).toMatch(/python3 make g\+\+/);
    expect(runtime).not.toMatch(/g\+\+/);
    expect(build).toMatch(/npm run build:hq-ui/);
    expect(build).toMatch(/npm prune --omit=dev/);
    expect(runtime).toMatch(/COPY --from=build .* \/app\/dist \.\/dist/);
  });

  it('runs cloud-sink as a non-root user under tini, with its data on a volume and a health check', () => {
    expect(dockerfile).toMatch(/^USER hq$/m);
    expect(dockerfile).toMatch(/useradd --system --gid hq/);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["bin\/cloud-sink\.js", "start"\]$/m);
    expect(dockerfile).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8090$/m);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    expect(dockerfile).toMatch(/HQ_DATA_DIR=\/data/);
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts['build:hq-ui']).toBe('vite build -c cloud-sink/ui/vite.config.ts');
    expect(scripts.build).toContain('npm run build:hq-ui');
  });

  it('copies no gateway code, and its build compiles from what it copies alone', () => {
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] as string).split(' '));
    expect(copied).not.toContain('gateway');
    expect(copied).toEqual(expect.arrayContaining(['protocols', 'common', 'cloud-sink', 'bin']));
    // The build stage's `npx tsc -p tsconfig.build.json`, on a copy holding only those files.
    const dir = tempDir('hq-image-');
    try {
      for (const entry of copied) cpSync(join(ROOT, entry), join(dir.path, entry), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(dir.path, 'node_modules'));
      execFileSync(
        process.execPath,
        [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--noEmit'],
        {
          cwd: dir.path,
          stdio: 'pipe',
        },
      );
    } finally {
      dir.remove();
    }
  }, 60_000);
});
