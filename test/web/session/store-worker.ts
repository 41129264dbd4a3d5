/**
 * A second (and third) process for the store tests: opens the tracker home
 * given on the command line and races the test's other workers.
 *   count <home> <key> <n>   increments a counter record n times (atomic update)
 *   take <home> <key>...     takes each key, prints the ones it got
 * Prints one JSON line with the result.
 */
import { Tracker } from '../../../lib/tracker/tracker.js';
import { sessionServices } from '../../../lib/web/session/session-services.js';

const [command, home, ...args] = process.argv.slice(2);
const tracker = await Tracker.open(home!);
try {
  const otks = sessionServices(tracker).backend.otks;
  const now = Date.now() / 1000;
  if (command === 'count') {
    const [key, n] = args;
    for (let i = 0; i < Number(n); i++) {
      await otks.update(key!, now, (current) => ({ data: { n: Number(current?.data.n ?? 0) + 1 }, timestamp: now }));
    }
    console.log(JSON.stringify({ done: Number(n) }));
  } else if (command === 'take') {
    const got: string[] = [];
    for (const key of args) if (await otks.take(key, now)) got.push(key);
    console.log(JSON.stringify({ got }));
  } else {
    throw new Error(`unknown command ${command}`);
  }
} finally {
  await tracker.close();
}
