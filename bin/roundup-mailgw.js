#!/usr/bin/env node
// roundup-mailgw: feed incoming mail to a tracker (see lib/mail/gateway/cli.ts).
// Exit status 75 (EX_TEMPFAIL) tells the mail transfer agent to keep the message and retry.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/lib/mail/gateway/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('roundup-mailgw: the program is not built yet; run "npm run build" first.\n');
  // Not built is a setup problem of this host: ask the MTA to keep the mail.
  process.exit(75);
}
const { main } = await import(cli.href);

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks);
}

process.exitCode = await main(process.argv.slice(2), {
  readStdin,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}, process.env);
