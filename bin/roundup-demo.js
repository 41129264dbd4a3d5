#!/usr/bin/env node
// roundup-demo: a demo tracker running with one command (see lib/demo/cli.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/lib/demo/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('roundup-demo: the program is not built yet; run "npm run build" first.\n');
  process.exit(1);
}
const { main } = await import(cli.href);
await main(process.argv.slice(2));
