/**
 * Child process for tests/integration/quiet-debug.test.ts: loads the gateway the way
 * `store-gateway start` does, parses one MQTT packet with mqtt-packet and prints what
 * `debug` hands out for mqtt-packet's namespace.
 */
import { createRequire } from 'node:module';
import '../../gateway/main.js';
import { DEBUG_MODULE_PATH } from '../../gateway/infra/quiet-debug.js';

const require = createRequire(import.meta.url);
const mqttPacket = require('mqtt-packet') as typeof import('mqtt-packet');
const createDebug = require(DEBUG_MODULE_PATH) as ((namespace: string) => { enabled: boolean; name: string }) & {
  quiet?: boolean;
};
const parser = mqttPacket.parser();
let parsed = 0;
parser.on('packet', () => parsed++);
parser.parse(mqttPacket.generate({ cmd: 'pingreq' }));
const logger = createDebug('mqtt-packet:parser');
console.log(JSON.stringify({ parsed, quiet: createDebug.quiet === true, enabled: logger.enabled, name: logger.name }));
