#!/usr/bin/env node
// roundup-server: serve trackers over HTTP(S) (see lib/server/cli.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/lib/server/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('roundup-server: the program is not built yet; run "npm run build" first.\n');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exit(await main(process.argv.slice(2)));
