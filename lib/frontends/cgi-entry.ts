import { runCgi } from './cgi-program.js';

/**
 * The process behind `frontends/roundup.cgi`: one request from the
 * environment and standard input, the answer on standard output, then
 * exit (an open tracker must not keep a CGI process alive).
 */
const status = await runCgi(process.env, process.stdin, process.stdout);
process.stdout.write('', () => process.exit(status));
