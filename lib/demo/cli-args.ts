/**
 * The command line of `roundup-demo`, read as Roundup's argparse set-up
 * reads it:
 *
 *     roundup-demo [-h] [-B BIND_ADDRESS] [-b BACKEND] [-H HOSTNAME]
 *                  [-t TEMPLATE] [-p PORT] [-P URLPORT] [-V]
 *                  [[directory] [backend]] [nuke]
 *
 * Options take their value as the next word, glued to a short option
 * (`-p8080`) or after `=` for a long one (`--port=8080`); options and
 * arguments may come in any order; `--` ends the options. Up to three
 * arguments fill directory, backend and nuke in turn; a last `nuke`
 * means nuke, so `roundup-demo nuke` asks for the directory, as Roundup's
 * does. Roundup's default demo backend `anydbm` does not exist here: it
 * is accepted and replaced by sqlite, with a notice.
 */

import { DEMO_BACKENDS, type DemoBackend } from './install-demo.js';
import type { DemoOptions } from './demo-command.js';
import { DEFAULT_DEMO_PORT } from './port-probe.js';

/** What the command line asks for. */
export type DemoArgs =
  | { kind: 'run'; options: DemoOptions; notices: string[] }
  | { kind: 'help'; text: string }
  | { kind: 'version'; text: string }
  /** A usage error: print `usage` then `message` to stderr and exit 2 (argparse's way). */
  | { kind: 'error'; message: string; usage: string };

interface OptionSpec {
  short: string;
  long: string;
  key: 'bindAddress' | 'backend' | 'hostname' | 'template' | 'port' | 'urlport';
  metavar: string;
}

const VALUED: OptionSpec[] = [
  { short: '-B', long: '--bind_address', key: 'bindAddress', metavar: 'BIND_ADDRESS' },
  { short: '-b', long: '--backend_db', key: 'backend', metavar: 'BACKEND_DB' },
  { short: '-H', long: '--hostname', key: 'hostname', metavar: 'HOSTNAME' },
  { short: '-t', long: '--template', key: 'template', metavar: 'TEMPLATE' },
  { short: '-p', long: '--port', key: 'port', metavar: 'PORT' },
  { short: '-P', long: '--urlport', key: 'urlport', metavar: 'URLPORT' },
];

const ANYDBM_NOTICE = 'The anydbm backend is not available in this implementation; using sqlite.';

/** The one-line usage, as argparse prints it. */
export function demoUsage(prog: string, templates: readonly string[]): string {
  return (
    `usage: ${prog} [-h] [-B BIND_ADDRESS] [-b {${DEMO_BACKENDS.join(',')}}] [-H HOSTNAME]\n` +
    `${' '.repeat(prog.length + 8)}[-t {${templates.join(',')}}] [-p PORT] [-P URLPORT] [-V]\n` +
    `${' '.repeat(prog.length + 8)}[[directory] [backend]] [nuke]`
  );
}

/** The `--help` text. */
export function demoHelp(prog: string, templates: readonly string[]): string {
  return `${demoUsage(prog, templates)}

Instant gratification demo - Roundup-compatible issue tracker

  Run a demo server. Config and database files are created in
  'directory' (default './demo'), which should not exist, be empty, or
  already be a tracker home (usually used with nuke).

  'nuke' will re-initialize the tracker instance, deleting the old data.

  The tracker that is created will have email notifications turned off.

positional arguments:
  directory             Create home for tracker in directory. (*)
  backend               Choose backend database. Deprecated, use -b instead.
                        If it is used, you *must* specify directory.
  nuke                  The word 'nuke' will delete tracker and reset.
                        E.G. ${prog} -b sqlite -t classic ./mytracker nuke

options:
  -h, --help            show this help message and exit
  -B, --bind_address BIND_ADDRESS
                        Choose address for server to listen at.
                        Use 0.0.0.0 to bind to all addresses. Use
                        the external name of the computer to bind to
                        the external host interface.
                        Default: 127.0.0.1.
  -b, --backend_db {${DEMO_BACKENDS.join(',')}}
                        Choose backend database. Default: sqlite.
  -H, --hostname HOSTNAME
                        Choose hostname for the server.
                        Default: localhost.
  -t, --template {${templates.join(',')}}
                        Use specified template. (*)
  -p, --port PORT       Listen at this port. Default: search for
                        open port starting at ${DEFAULT_DEMO_PORT}
  -P, --urlport URLPORT
                        Set docker external port. If using
                           docker ... -p 9090:${DEFAULT_DEMO_PORT} ...
                        this should be set to 9090.
                        Default: as selected by --port
  -V, --version         Show the program's version number and exit

If items marked with (*) are missing, they will be asked for
interactively when setting up the tracker.
`;
}

function choiceList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

/**
 * Reads `argv` (without the program name). `templates` are the template
 * names -t accepts; `version` is printed by -V.
 */
export function parseDemoArgs(argv: readonly string[], prog: string, templates: readonly string[], version: string): DemoArgs {
  const usage = demoUsage(prog, templates);
  const error = (message: string): DemoArgs => ({ kind: 'error', message: `${prog}: error: ${message}`, usage });
  const values: Partial<Record<OptionSpec['key'], string>> = {};
  const positional: string[] = [];
  const notices: string[] = [];
  let optionsDone = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (optionsDone || word === '-' || !word.startsWith('-')) {
      positional.push(word);
      continue;
    }
    if (word === '--') {
      optionsDone = true;
      continue;
    }
    if (word === '-h' || word === '--help') return { kind: 'help', text: demoHelp(prog, templates) };
    if (word === '-V' || word === '--version') return { kind: 'version', text: version };
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const name = eq >= 0 ? word.slice(0, eq) : word.startsWith('--') ? word : word.slice(0, 2);
    const spec = VALUED.find((s) => s.short === name || s.long === name);
    if (!spec) return error(`unrecognized arguments: ${word}`);
    let value: string | undefined;
    if (eq >= 0) value = word.slice(eq + 1);
    else if (!word.startsWith('--') && word.length > 2) value = word.slice(2);
    else value = argv[++i];
    if (value === undefined) return error(`argument ${spec.short}/${spec.long}: expected one argument`);
    values[spec.key] = value;
  }

  const port = (key: 'port' | 'urlport', spec: string): number | undefined | DemoArgs => {
    const text = values[key];
    if (text === undefined) return undefined;
    if (!/^[-+]?\d+$/.test(text.trim())) return error(`argument ${spec}: invalid int value: '${text}'`);
    return Number(text);
  };
  const portValue = port('port', '-p/--port');
  if (typeof portValue === 'object') return portValue;
  const urlportValue = port('urlport', '-P/--urlport');
  if (typeof urlportValue === 'object') return urlportValue;

  const backendChoice = (text: string, what: string, extra: readonly string[] = []): DemoBackend | 'nuke' | DemoArgs => {
    if (text === 'anydbm') {
      if (!notices.includes(ANYDBM_NOTICE)) notices.push(ANYDBM_NOTICE);
      return 'sqlite';
    }
    if ((DEMO_BACKENDS as readonly string[]).includes(text) || extra.includes(text)) return text as DemoBackend | 'nuke';
    return error(`argument ${what}: invalid choice: '${text}' (choose from ${choiceList([...DEMO_BACKENDS, ...extra])})`);
  };
  let backend: DemoBackend | undefined;
  if (values.backend !== undefined) {
    const chosen = backendChoice(values.backend, '-b/--backend_db');
    if (typeof chosen === 'object') return chosen;
    backend = chosen as DemoBackend;
  }
  if (values.template !== undefined && !templates.includes(values.template)) {
    return error(`argument -t/--template: invalid choice: '${values.template}' (choose from ${choiceList(templates)})`);
  }

  if (positional.length > 3) return error(`unrecognized arguments: ${positional.slice(3).join(' ')}`);
  if (positional.length >= 2) {
    const chosen = backendChoice(positional[1]!, 'backend', ['nuke']);
    if (typeof chosen === 'object') return chosen;
    positional[1] = chosen;
  }
  if (positional.length === 3 && positional[2] !== 'nuke') return error(`argument nuke: invalid choice: '${positional[2]}' (choose from 'nuke')`);
  const nuke = positional.length > 0 && positional[positional.length - 1] === 'nuke';
  if (nuke) positional.pop();
  const [directory, positionalBackend] = positional;
  return {
    kind: 'run',
    notices,
    options: {
      directory: directory || undefined,
      backend: backend ?? (positionalBackend as DemoBackend | undefined),
      template: values.template,
      hostname: values.hostname ?? 'localhost',
      bindAddress: values.bindAddress ?? '127.0.0.1',
      port: portValue,
      urlport: urlportValue,
      nuke,
    },
  };
}
