#!/usr/bin/env node
// roundup-admin: administer a tracker from the command line (see lib/admin/cli.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/lib/admin/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('roundup-admin: the program is not built yet; run "npm run build" first.\n');
  process.exit(1);
}
const { main } = await import(cli.href);
const { createTerminalIO } = await import(new URL('../dist/lib/admin/terminal-io.js', import.meta.url).href);
const io = createTerminalIO();
try {
  process.exitCode = await main(process.argv.slice(2), io, process.env);
} finally {
  io.close();
}
