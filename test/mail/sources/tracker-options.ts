import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Sets `[section] option` in a tracker's config.ini (replacing its line,
 * commented out or not, or adding one), for tests that run the gateway
 * as a separate process, which reads config.ini itself.
 */
export function setTrackerOption(home: string, section: string, option: string, value: string): void {
  const file = join(home, 'config.ini');
  const lines = readFileSync(file, 'utf8').split('\n');
  const header = lines.indexOf(`[${section}]`);
  assert.ok(header >= 0, `config.ini has [${section}]`);
  let end = lines.findIndex((line, i) => i > header && line.startsWith('['));
  if (end < 0) end = lines.length;
  const at = lines.findIndex((line, i) => i > header && i < end && new RegExp(`^#?\\s*${option}\\s*=`).test(line));
  if (at >= 0) lines[at] = `${option} = ${value}`;
  else lines.splice(header + 1, 0, `${option} = ${value}`);
  writeFileSync(file, lines.join('\n'));
}
