#!/usr/bin/env node
// roundup-fastcgi: the trackers as a FastCGI responder (see lib/frontends/fastcgi/cli.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/lib/frontends/fastcgi/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('roundup-fastcgi: the program is not built yet; run "npm run build" first.\n');
  process.exit(1);
}
const { main } = await import(cli.href);
const status = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
// Exit at once: nothing is left to do, and an inherited socket must not keep the process alive.
process.exit(status);
