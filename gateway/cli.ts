/**
 * `store-gateway` command line: start, demo, rebuild, check-config, users, import-receipts.
 * Exit codes: 0 ok, 1 bad config or usage, 2 a port in use, 3 any other failure.
 */
import { parseArgs } from 'node:util';
import { type GatewayConfig, loadConfig } from './infra/config/index.js';
import { createLogger } from './log.js';
import { describeError, runUntilSignal } from './run.js';

const USAGE = `usage: store-gateway <command> [options]

commands:
  start [--config FILE]            run the gateway (no file: the built-in demo-store config)
  demo [--config FILE] [--speed N] [--seed N] [--date YYYY-MM-DD] [--traffic F] [--no-history] [--serial]
                                   run the gateway with a simulated store feeding it over MQTT, at
                                   N× (1 to 10000, default 60), with last week's and last year's days
                                   backfilled for the comparisons (--no-history: without them);
                                   --traffic scales the visitors (default 1);
                                   --serial: plus a door counter and an R2000 reader on socat ptys
  rebuild [--config FILE]          recompute facts and aggregates from the journal
  check-config FILE                validate a config file and print every problem
  hash-password < password         print a scrypt hash for devices.*.passwordHash and http.auth.users
  user add NAME --role manager|staff|viewer [--display-name "王芳"] [--password-stdin] [--config FILE]
  user rename NAME --display-name "王芳"   the person's name on acks, invitations, reports
  user passwd NAME [--password-stdin] [--config FILE]
  user remove NAME [--config FILE]
  user list [--config FILE]        dashboard users kept in the store database (besides http.auth.users)
  import-receipts --device ID FILE [--url URL] [--password-stdin] [--config FILE]
                                   send a till's end-of-day receipts CSV to the running gateway
                                   (password of devices.ID: stdin or GW_DEVICE_PASSWORD)

environment: GW_CONFIG GW_STORE_ID GW_DATA_DIR GW_MQTT_PORT GW_HTTP_PORT GW_NATS_URL GW_LOG_LEVEL GW_HTTP_AUTH
  GW_HTTP_AUTH=off opens the API to anyone (bench only); demo adds the demo users`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      speed: { type: 'string' },
      seed: { type: 'string' },
      date: { type: 'string' },
      serial: { type: 'boolean' },
      traffic: { type: 'string' },
      'no-history': { type: 'boolean' },
      role: { type: 'string' },
      'display-name': { type: 'string' },
      device: { type: 'string' },
      url: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || command === undefined || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 1 : 0;
  }
  switch (command) {
    case 'check-config':
      return checkConfig(positionals[0] ?? values.config);
    case 'hash-password': {
      // For devices.*.passwordHash: the password comes on stdin so it stays out of shell history.
      const { hashPassword } = await import('./pipeline/broker/credentials.js');
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      const password = Buffer.concat(chunks)
        .toString('utf8')
        .replace(/\r?\n$/, '');
      if (password.length < 8) {
        console.error('hash-password: give a password of at least 8 characters on stdin');
        return 1;
      }
      console.log(hashPassword(password));
      return 0;
    }
    case 'start':
      return runUntilSignal(loadOrExit(values.config), createLogger());
    case 'user': {
      const { userCommand } = await import('./users-cli.js');
      return userCommand(loadOrExit(values.config), {
        action: positionals[0],
        name: positionals[1],
        role: values.role,
        displayName: values['display-name'],
        passwordStdin: values['password-stdin'] === true,
      });
    }
    case 'import-receipts': {
      const { importReceiptsCommand } = await import('./import-cli.js');
      let password = process.env.GW_DEVICE_PASSWORD;
      if (values['password-stdin'] === true) {
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
        password = Buffer.concat(chunks)
          .toString('utf8')
          .replace(/\r?\n$/, '');
      }
      return importReceiptsCommand(loadOrExit(values.config), {
        device: values.device,
        file: positionals[0],
        url: values.url,
        password,
      });
    }
    case 'demo': {
      const { runDemo } = await import('./demo.js');
      return runDemo({
        config: values.config,
        speed: values.speed === undefined ? undefined : Number(values.speed),
        seed: values.seed === undefined ? undefined : Number(values.seed),
        date: values.date,
        serial: values.serial === true,
        traffic: values.traffic === undefined ? undefined : Number(values.traffic),
        history: values['no-history'] !== true,
      });
    }
    case 'rebuild': {
      const { rebuild } = await import('./rebuild.js');
      return rebuild(loadOrExit(values.config), createLogger());
    }
    default:
      console.error(`unknown command ${command}\n\n${USAGE}`);
      return 1;
  }
}

function checkConfig(file: string | undefined): number {
  if (!file) {
    console.error('check-config needs a FILE');
    return 1;
  }
  try {
    const config = loadConfig(file);
    console.log(
      `ok: ${file} — store ${config.store.id} (${config.store.name}), ${Object.keys(config.zones).length} zones, ${Object.keys(config.devices).length} devices`,
    );
    return 0;
  } catch (err) {
    console.error(describeError(err));
    return 1;
  }
}

function loadOrExit(file: string | undefined): GatewayConfig {
  try {
    return loadConfig(file);
  } catch (err) {
    console.error(describeError(err));
    process.exit(1);
  }
}

// Run when executed directly (bin/store-gateway.js imports this module).
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(describeError(err));
    process.exit(3);
  },
);
