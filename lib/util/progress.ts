/**
 * A progress bar for long admin commands (export, import, reindex,
 * backup), drawn on a terminal's stderr and redrawn in place:
 *
 *   Importing msg  [##########----------]  50%  30000/60000  12345 items/s  ETA 0:03
 *
 * When the output is not a terminal nothing at all is written, so logs and
 * pipes stay clean (Roundup's `support.Progress` shows its counter only on
 * a terminal as well).
 */

/** Where the bar is drawn: process.stderr, or a test double. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** What is being done, e.g. "Exporting issue". */
  label: string;
  /** The number of items expected (0 when unknown: no bar, no ETA). */
  total: number;
  /** Default process.stderr. */
  stream?: ProgressStream;
  /** Draw at all; default: when the stream is a terminal. */
  enabled?: boolean;
  /** Milliseconds clock, for tests; default performance.now. */
  now?: () => number;
  /** Least time between two redraws (ms); default 100. */
  interval?: number;
}

/** A running progress display; every method is a no-op when it is not drawn. */
export interface Progress {
  /** Counts `n` more items done. */
  tick(n?: number): void;
  /** Sets the number of items done. */
  update(done: number): void;
  /** Draws the final state and moves to the next line. */
  finish(): void;
}

const BAR_WIDTH = 20;
const SILENT: Progress = { tick() {}, update() {}, finish() {} };

/** A progress display for `options`, silent unless drawn on a terminal. */
export function startProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled ?? stream.isTTY === true;
  return enabled ? new TerminalProgress(options, stream) : SILENT;
}

class TerminalProgress implements Progress {
  private done = 0;
  private lastDraw = -Infinity;
  private finished = false;
  private readonly started: number;
  private readonly now: () => number;
  private readonly interval: number;

  constructor(
    private readonly options: ProgressOptions,
    private readonly stream: ProgressStream,
  ) {
    this.now = options.now ?? (() => performance.now());
    this.interval = options.interval ?? 100;
    this.started = this.now();
    this.draw();
  }

  tick(n = 1): void {
    this.update(this.done + n);
  }

  update(done: number): void {
    if (this.finished) return;
    this.done = done;
    if (this.now() - this.lastDraw >= this.interval) this.draw();
  }

  finish(): void {
    if (this.finished) return;
    this.draw();
    this.finished = true;
    this.stream.write('\n');
  }

  private draw(): void {
    const now = this.now();
    this.lastDraw = now;
    const { total, label } = this.options;
    const elapsed = (now - this.started) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const parts = [label];
    if (total > 0) {
      const fraction = Math.min(1, this.done / total);
      const filled = Math.round(fraction * BAR_WIDTH);
      parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`, `${String(Math.floor(fraction * 100)).padStart(3)}%`, `${this.done}/${total}`);
    } else {
      parts.push(String(this.done));
    }
    if (rate > 0) parts.push(`${Math.round(rate)} items/s`);
    if (total > 0 && rate > 0 && this.done < total) parts.push(`ETA ${formatSeconds((total - this.done) / rate)}`);
    let line = parts.join('  ');
    const columns = this.stream.columns;
    if (columns && line.length >= columns) line = line.slice(0, columns - 1);
    // Back to the start of the line, draw, then clear whatever a longer earlier line left.
    this.stream.write(`\r${line}\x1b[K`);
  }
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
