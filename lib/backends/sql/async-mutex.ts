import { RupError } from '../../errors.js';

/**
 * A FIFO lock for async code. `acquire` resolves to a release function, or
 * fails with RUP_ERR_LOCKED once `timeoutMs` has passed without the lock.
 */
export class AsyncMutex {
  private locked = false;
  private readonly waiters: Array<(release: () => void) => void> = [];

  acquire(timeoutMs: number, what: string): Promise<() => void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = (release: () => void) => {
        clearTimeout(timer);
        resolve(release);
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new RupError('RUP_ERR_LOCKED', `${what} stayed locked for more than ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiters.push(grant);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next(this.releaser());
      else this.locked = false;
    };
  }
}
