// Entry point of the `cloud-sink` bin (bin/cloud-sink.js imports this module).
import { main } from './cli.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`cloud-sink: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(3);
  },
);
