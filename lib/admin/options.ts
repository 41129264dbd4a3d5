/**
 * roundup-admin's command-line options, read the way Python's getopt reads
 * Roundup's `i:u:hcdP:sS:vV`: options come first and stop at the first
 * argument that is not one (or after `--`); flags may be grouped (`-cd`);
 * an option's value may be attached (`-ihome`) or follow (`-i home`).
 */

export type OptionLetter = 'i' | 'u' | 'h' | 'c' | 'd' | 'P' | 's' | 'S' | 'v' | 'V';

const WITH_VALUE = new Set(['i', 'u', 'P', 'S']);
const FLAGS = new Set(['h', 'c', 'd', 's', 'v', 'V']);

export interface ParsedOptions {
  /** The options in the order given (their order matters: -h and -v stop at once). */
  options: Array<{ letter: OptionLetter; value: string }>;
  /** The command and its arguments. */
  args: string[];
}

/** A bad option, with getopt's message ("option -x not recognized"). */
export class OptionError extends Error {
  override name = 'OptionError';
}

/** Splits argv (without the program name) into options and the command. */
export function parseOptions(argv: readonly string[]): ParsedOptions {
  const options: ParsedOptions['options'] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg.startsWith('--')) {
      const name = arg.slice(2).split('=')[0];
      throw new OptionError(`option --${name} not recognized`);
    }
    i++;
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j]!;
      if (FLAGS.has(letter)) {
        options.push({ letter: letter as OptionLetter, value: '' });
        continue;
      }
      if (!WITH_VALUE.has(letter)) throw new OptionError(`option -${letter} not recognized`);
      let value = arg.slice(j + 1);
      if (value === '') {
        if (i >= argv.length) throw new OptionError(`option -${letter} requires argument`);
        value = argv[i++]!;
      }
      options.push({ letter: letter as OptionLetter, value });
      break;
    }
  }
  return { options, args: argv.slice(i) };
}
