import { DateTime } from '../lib/hyperdb/date.js';
import type { Tracker } from '../lib/tracker/tracker.js';

/** Deterministic pseudo-random numbers, so every run builds the same tracker. */
export function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

const COMMON = (
  'login page password session cookie export import retired user admin mail gateway nosy message issue status priority ' +
  'keyword search index filter sort group journal history attachment file upload download proxy server daemon config ' +
  'template detector auditor reactor schema database sqlite postgresql timeout lock commit rollback crash error warning ' +
  'report broken slow fast memory leak unicode encoding latin utf subject reply thread quote signature summary'
).split(' ');

/**
 * A vocabulary shaped like real text: 100 common words and 5,000 rarer
 * ones, drawn with a Zipf-like skew, so searches hit realistic numbers of
 * messages.
 */
function vocabulary(): string[] {
  const rnd = random(7);
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'qu', 'dr', 'st', 'gr', 'bl', 'xe'];
  const words = [...COMMON];
  while (words.length < 5100) {
    let w = '';
    const n = 2 + Math.floor(rnd() * 3);
    for (let i = 0; i < n; i++) w += syllables[Math.floor(rnd() * syllables.length)];
    words.push(w);
  }
  return words;
}

const WORDS = vocabulary();

export function sentence(rnd: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(WORDS.length * rnd() ** 3)]!);
  const text = out.join(' ');
  return text[0]!.toUpperCase() + text.slice(1) + '.';
}

/** Users of the bench tracker, like the Python Roundup reference tracker the web numbers are compared with. */
export const USERS = 2000;

export interface BuildResult {
  issues: number;
  messages: number;
  seconds: number;
}

/**
 * Creates `count` issues with `messagesPerIssue` messages each through the
 * hyperdb API (detectors included), committing every `batch` issues, as
 * an import or a busy tracker would.
 */
export async function buildTracker(tracker: Tracker, count: number, messagesPerIssue: number, batch = 500): Promise<BuildResult> {
  const rnd = random(42);
  const setup = await tracker.open({ username: 'admin' }, { checked: false });
  const users: string[] = [];
  for (let i = 0; i < USERS; i++) {
    users.push(await setup.getclass('user').create({ username: `user${i}`, address: `user${i}@example.com`, realname: `User ${i}`, roles: 'User' }));
  }
  const keywords: string[] = [];
  for (const name of ['ui', 'backend', 'mail', 'docs', 'security', 'performance']) keywords.push(await setup.getclass('keyword').create({ name }));
  await setup.commit();
  await setup.close();

  const statuses = ['1', '2', '3', '4', '5', '6', '7', '8'];
  const priorities = ['1', '2', '3', '4', '5'];
  const start = process.hrtime.bigint();
  let messages = 0;
  for (let done = 0; done < count; done += batch) {
    const db = await tracker.open({ userid: users[done % users.length]! }, { checked: false });
    const msg = db.getclass('msg');
    const issue = db.getclass('issue');
    for (let i = done; i < Math.min(count, done + batch); i++) {
      const author = users[Math.floor(rnd() * users.length)]!;
      const msgIds: string[] = [];
      for (let m = 0; m < messagesPerIssue; m++) {
        msgIds.push(
          await msg.create({
            content: `${sentence(rnd, 12)}\n\n${sentence(rnd, 30)}\n${sentence(rnd, 20)}\n`,
            author,
            date: DateTime.now(),
          }),
        );
        messages++;
      }
      await issue.create({
        title: sentence(rnd, 6),
        messages: msgIds,
        status: statuses[Math.floor(rnd() * statuses.length)],
        priority: priorities[Math.floor(rnd() * priorities.length)],
        assignedto: rnd() < 0.7 ? users[Math.floor(rnd() * users.length)] : null,
        keyword: rnd() < 0.5 ? [keywords[Math.floor(rnd() * keywords.length)]!] : [],
        nosy: [author],
      });
    }
    await db.commit();
    await db.close();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { issues: count, messages, seconds };
}

/** Runs `fn` `runs` times after `warmup` runs and returns the median time in ms. */
export async function medianMs(fn: () => Promise<unknown>, runs = 20, warmup = 3): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** One page of the default issue index: open issues, sorted by activity, grouped by priority, 50 rows, with their data. */
export async function indexPage(tracker: Tracker): Promise<number> {
  const db = await tracker.open({ username: 'admin' });
  try {
    const issue = db.getclass('issue');
    const ids = await issue.filter(null, { status: ['-1', '1', '2', '3', '4', '5', '6', '7'] }, {
      sort: [['-', 'activity']],
      group: [['+', 'priority']],
      limit: 50,
      offset: 0,
    });
    const rows = await issue.getMany(ids);
    const userIds = new Set<string>();
    for (const row of rows.values()) if (row.assignedto) userIds.add(row.assignedto as string);
    await db.getclass('user').getMany([...userIds]);
    await db.getclass('priority').getMany(['1', '2', '3', '4', '5']);
    await db.getclass('status').getMany(['1', '2', '3', '4', '5', '6', '7', '8']);
    return rows.size;
  } finally {
    await db.close();
  }
}

/** A full-text search over the messages, mapped to issues, as the web's @search_text does. */
export async function textSearch(tracker: Tracker, query: string): Promise<number> {
  const db = await tracker.open({ username: 'admin' });
  try {
    const issue = db.getclass('issue');
    const matches = await issue.searchText(query);
    const ids = await issue.filter(matches, {}, { sort: [['-', 'activity']], limit: 50 });
    await issue.getMany(ids);
    return matches.size;
  } finally {
    await db.close();
  }
}
