/**
 * The `npm start` entry point: the demo tracker in ./demo with Roundup's
 * defaults (classic template, sqlite, localhost, a free port from 8917),
 * created when missing, without questions; `npm start -- nuke` starts it
 * over. See startDefaultDemo in cli.ts.
 */
import { startDefaultDemo } from './cli.js';

await startDefaultDemo(process.argv.slice(2));
