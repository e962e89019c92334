/** A bare aedes relay on 127.0.0.1 (its own process, no hooks, in-memory persistence). Prints "ready <port>". */
import { createServer } from 'node:net';
import { Aedes } from 'aedes';
import { num, parseArgs } from './args.js';

const args = parseArgs(process.argv.slice(2));
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(num(args, 'port', 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`ready ${typeof address === 'object' && address ? address.port : 0}`);
});
const stop = () => {
  server.close();
  broker.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
