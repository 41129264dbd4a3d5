import { findServerOption, findShortOption } from './server-options.js';

/**
 * roundup-server's command line, read the way Roundup's getopt reads it:
 * short flags may be bundled (`-DN`) and take their value attached or as
 * the next word (`-p8080`, `-p 8080`); `--name=value` (or `--name value`)
 * sets any `[main]` option; other words are `name=home` trackers. Unlike
 * getopt, options may also follow the trackers.
 */

/** A command line that cannot be understood; the message is shown above the usage text. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ServerArgs {
  help: boolean;
  version: boolean;
  saveConfig: boolean;
  /** `-C` / `--config`. */
  configFile: string | null;
  /** `-c <command>`: service control (install, start, stop, remove, help). */
  service: string | null;
  /** `--dry-run`: with `-c`, print what would be done. */
  dryRun: boolean;
  /** `[main]` options in the order given. */
  options: Array<{ name: string; value: string }>;
  trackers: Array<{ name: string; home: string }>;
}

const SHORT_FLAGS = new Set(['h', 'v', 'S']);

/** Parses `argv` (without node and the script); UsageError for what cannot be read. */
export function parseServerArgs(argv: readonly string[]): ServerArgs {
  const args: ServerArgs = { help: false, version: false, saveConfig: false, configFile: null, service: null, dryRun: false, options: [], trackers: [] };
  let i = 0;
  const nextValue = (option: string): string => {
    if (i + 1 >= argv.length) throw new UsageError(`option ${option} requires argument`);
    i += 1;
    return argv[i]!;
  };
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      for (const rest of argv.slice(i + 1)) args.trackers.push(trackerArg(rest));
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq < 0 ? undefined : eq);
      const attached = eq < 0 ? null : word.slice(eq + 1);
      const flagOnly = (): void => {
        if (attached !== null) throw new UsageError(`option --${name} must not have an argument`);
      };
      if (name === 'help') (flagOnly(), (args.help = true));
      else if (name === 'version') (flagOnly(), (args.version = true));
      else if (name === 'save-config') (flagOnly(), (args.saveConfig = true));
      else if (name === 'dry-run') (flagOnly(), (args.dryRun = true));
      else if (name === 'config') args.configFile = attached ?? nextValue(word);
      else {
        const spec = findServerOption(name.replace(/-/g, '_'));
        if (!spec) throw new UsageError(`option --${name} not recognized`);
        const value = attached ?? (spec.kind === 'boolean' ? 'yes' : nextValue(word));
        args.options.push({ name: spec.name, value });
      }
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      for (let at = 1; at < word.length; at++) {
        const flag = word[at]!;
        if (SHORT_FLAGS.has(flag)) {
          if (flag === 'h') args.help = true;
          else if (flag === 'v') args.version = true;
          else args.saveConfig = true;
          continue;
        }
        const spec = findShortOption(flag);
        const takesValue = flag === 'C' || flag === 'c' || (spec !== undefined && spec.kind !== 'boolean');
        if (!spec && !takesValue) throw new UsageError(`option -${flag} not recognized`);
        if (!takesValue) {
          args.options.push({ name: spec!.name, value: 'yes' });
          continue;
        }
        const value = at + 1 < word.length ? word.slice(at + 1) : nextValue(`-${flag}`);
        if (flag === 'C') args.configFile = value;
        else if (flag === 'c') args.service = value;
        else args.options.push({ name: spec!.name, value });
        break;
      }
      continue;
    }
    args.trackers.push(trackerArg(word));
  }
  return args;
}

/** A `name=home` argument (exactly one `=`, both sides non-empty), as Roundup splits it. */
function trackerArg(word: string): { name: string; home: string } {
  const parts = word.split('=');
  if (parts.length !== 2 || parts[0]!.trim() === '' || parts[1]!.trim() === '') {
    throw new UsageError(`Instances must be name=home (got "${word}")`);
  }
  return { name: parts[0]!.trim(), home: parts[1]!.trim() };
}
