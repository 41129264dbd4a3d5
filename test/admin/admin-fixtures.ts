/**
 * Shared set-up of the roundup-admin tests: an AdminIO that captures
 * output and answers questions from a list, `runAdmin` to call `main()`
 * in-process, and trackers made with createTestTracker.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../lib/admin/cli.js';
import type { AdminIO } from '../../lib/admin/context.js';
import type { Database } from '../../lib/hyperdb/database.js';
import { testFixtures } from '../support/paths.js';
import { type BackendName, type TestTracker, createTestTracker, skipWithoutBackend } from '../support/trackers.js';

/** The fixture template with every property type (Number, Integer, Boolean, Interval, Date offsets). */
export const TYPES_TEMPLATE = join(testFixtures, 'homes', 'hyperdb-types');

/** Captured standard output and error, and the questions asked, in order. */
export class CaptureIO implements AdminIO {
  stdout = '';
  stderr = '';
  readonly questions: Array<{ question: string; secret: boolean }> = [];
  /** Set to record what interactive mode hands over for line editing. */
  loadedHistory: string[] | null = null;
  readonly isTTY = false;
  loadHistory?: (entries: readonly string[]) => void;
  presetInput?: (text: string) => void;
  readonly presets: string[] = [];

  /** `answers`: the lines typed, in order; null (or running out) is end of input. */
  constructor(
    private readonly answers: Array<string | null> = [],
    options: { lineEditing?: boolean } = {},
  ) {
    if (options.lineEditing) {
      this.loadHistory = (entries) => {
        this.loadedHistory = [...entries];
      };
      this.presetInput = (text) => {
        this.presets.push(text);
      };
    }
  }

  out(text: string): void {
    this.stdout += text;
  }

  err(text: string): void {
    this.stderr += text;
  }

  async prompt(question: string, options: { secret?: boolean } = {}): Promise<string | null> {
    // The question shows on the terminal, as input() and getpass() write it.
    this.stdout += question;
    this.questions.push({ question, secret: options.secret ?? false });
    return this.answers.length ? this.answers.shift()! : null;
  }
}

export interface AdminRun {
  status: number;
  stdout: string;
  stderr: string;
  io: CaptureIO;
}

export interface RunOptions {
  io?: CaptureIO;
  answers?: Array<string | null>;
  env?: NodeJS.ProcessEnv;
}

/** Runs roundup-admin in-process with the given arguments, environment and typed answers. */
export async function runAdmin(argv: string[], options: RunOptions = {}): Promise<AdminRun> {
  const io = options.io ?? new CaptureIO(options.answers ?? []);
  const status = await main(argv, io, options.env ?? {});
  return { status, stdout: io.stdout, stderr: io.stderr, io };
}

/** The parts of a run tests compare whole: exit status, stdout, stderr. */
export function plain(run: { status: number; stdout: string; stderr: string }): { status: number; stdout: string; stderr: string } {
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Runs roundup-admin on a tracker home (`-i home` first). */
export function adminOn(home: string): (argv: string[], options?: RunOptions) => Promise<AdminRun> {
  return (argv, options = {}) => runAdmin(['-i', home, ...argv], options);
}

export interface AdminTracker {
  readonly t: TestTracker;
  readonly home: string;
  run(argv: string[], options?: RunOptions): Promise<AdminRun>;
  /** An unchecked database acting as the admin, closed after the test. */
  open(): Promise<Database>;
}

/**
 * Mocha hooks giving each test a fresh tracker (classic template unless
 * told otherwise) on the backend; PostgreSQL suites are skipped when no
 * server is reachable.
 */
export function useAdminTracker(backend: BackendName = 'sqlite', template = 'classic'): AdminTracker {
  let current: TestTracker | null = null;
  const opened: Database[] = [];
  before(async function () {
    await skipWithoutBackend(this, backend);
  });
  beforeEach(async () => {
    current = await createTestTracker({ backend, template });
  });
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    await current?.cleanup();
    current = null;
  });
  return {
    get t() {
      return current!;
    },
    get home() {
      return current!.home;
    },
    run: (argv, options) => adminOn(current!.home)(argv, options),
    async open() {
      const db = await current!.tracker.open({ userid: '1' }, { checked: false });
      opened.push(db);
      return db;
    },
  };
}

/** Roundup's usage error block: `Error: <message>`, a blank line, the command's docstring with its source indentation. */
export function usageError(message: string, docstring: string): string {
  const [first, ...rest] = docstring.split('\n');
  const body = [first, ...rest.map((l) => (l === '' ? '' : `        ${l}`)), '        '].join('\n');
  return `Error: ${message}\n\n${body}\n`;
}

/**
 * A scratch folder as the current directory for each test of the suite,
 * removed afterwards: roundup-admin looks for templates in the current
 * directory, so a checkout holding a demo tracker must not show through.
 */
export function useScratchDir(prefix = 'rup-admin-'): { readonly dir: string } {
  const state = { dir: '' };
  let previous = '';
  beforeEach(() => {
    state.dir = mkdtempSync(join(tmpdir(), prefix));
    previous = process.cwd();
    process.chdir(state.dir);
  });
  afterEach(() => {
    process.chdir(previous);
    rmSync(state.dir, { recursive: true, force: true });
  });
  return state;
}
