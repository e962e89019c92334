// Entry point of `npm run demo:hq` (demo/hq.ts).
import { main } from './hq.js';

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo:hq: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
