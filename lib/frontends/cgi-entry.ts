/**
 * The process behind `frontends/roundup.cgi`: one request from the
 * environment and standard input, the answer on standard output, then
 * exit (an open tracker must not keep a CGI process alive).
 *
 * The program is loaded here rather than imported statically so that an
 * installation that cannot load (a half-built package, a missing
 * dependency) still answers with a page pointing to the error log, not
 * with the web server's "end of script output before headers".
 */

async function loadProgram(): Promise<typeof import('./cgi-program.js').runCgi | null> {
  try {
    return (await import('./cgi-program.js')).runCgi;
  } catch (err) {
    process.stderr.write(`roundup.cgi: the program cannot be loaded: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return null;
  }
}

const runCgi = await loadProgram();
if (runCgi === null) {
  process.stdout.write(
    'Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nroundup.cgi: the program cannot be loaded; the web server error log has the details.\n',
    () => process.exit(0),
  );
} else {
  const status = await runCgi(process.env, process.stdin, process.stdout);
  process.stdout.write('', () => process.exit(status));
}
