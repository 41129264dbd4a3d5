import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/paths.js';

/**
 * The example configurations shipped in `frontends/`, with their `@NAME@`
 * placeholders filled in. Tests run these files word for word; the
 * placeholders (documented in frontends/README.md) are the only part a
 * test chooses.
 */

export const frontendsDir = join(repoRoot, 'frontends');

const PLACEHOLDER = /@([A-Z][A-Z0-9_]*)@/g;

/** The placeholders a text uses, each once, in order of appearance. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** The example configuration files (`*.conf`) shipped in frontends/. */
export function exampleFiles(): string[] {
  return readdirSync(frontendsDir)
    .filter((name) => name.endsWith('.conf'))
    .sort();
}

/** `frontends/<file>` with every placeholder replaced; throws naming any placeholder without a value. */
export function renderExample(file: string, values: Readonly<Record<string, string>>): string {
  const text = readFileSync(join(frontendsDir, file), 'utf8');
  const missing = placeholdersOf(text).filter((name) => !(name in values));
  if (missing.length) throw new Error(`frontends/${file}: no value for ${missing.map((n) => `@${n}@`).join(', ')}`);
  return text.replace(PLACEHOLDER, (_, name: string) => values[name]!);
}
