/**
 * mqtt-packet calls `debug(…)` about fifteen times per MQTT packet, and the `debug` package's
 * logger gathers its arguments into an array before it asks whether its namespace is enabled:
 * 13 % of all the gateway allocated under a burst, for log lines nobody asked for
 * (docs/benchmarks.md 19). Imported before aedes and mqtt-packet load (first in gateway/main.ts),
 * this makes `require('debug')(namespace)` hand out a logger that does nothing for a namespace
 * `DEBUG` does not enable when it is created. `DEBUG=mqtt-packet:*` works as before; only a
 * namespace enabled later, at run time, stays quiet in loggers created before.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

interface Logger {
  (...args: unknown[]): void;
  enabled: boolean;
  namespace: string;
  extend(namespace: string, delimiter?: string): Logger;
  destroy(): boolean;
}

type CreateDebug = (namespace: string) => Logger;

const require = createRequire(import.meta.url);

/** The `debug` module mqtt-packet requires (resolved from mqtt-packet's own folder). */
export const DEBUG_MODULE_PATH = require.resolve('debug', { paths: [dirname(require.resolve('mqtt-packet'))] });

function installQuietDebug(): void {
  const createDebug = require(DEBUG_MODULE_PATH) as CreateDebug;
  if ((createDebug as { quiet?: boolean }).quiet) return;
  const quietDebug = Object.assign(
    (namespace: string): Logger => {
      const logger = createDebug(namespace);
      return logger.enabled ? logger : silentLogger(namespace, quietDebug);
    },
    createDebug,
    { quiet: true },
  );
  const module = require.cache[DEBUG_MODULE_PATH];
  if (module) module.exports = quietDebug;
}

/** A logger without parameters: calling it allocates nothing. */
function silentLogger(namespace: string, create: CreateDebug): Logger {
  const silent = function silent() {} as unknown as Logger;
  silent.enabled = false;
  silent.namespace = namespace;
  silent.extend = (sub: string, delimiter = ':') => create(`${namespace}${delimiter}${sub}`);
  silent.destroy = () => false;
  return silent;
}

installQuietDebug();
