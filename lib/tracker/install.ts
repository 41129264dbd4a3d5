import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RupError } from '../errors.js';
import { parseIni } from './ini-file.js';
import { applyOverrides, createTrackerConfig, type TrackerConfig } from './config.js';
import { writeConfigIni } from './config-writer.js';

/** The templates shipped with this package (`templates/` at its root). */
export const BUILTIN_TEMPLATES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../templates');

/** A template's own config.ini settings, applied at install and then removed from the home. */
const TEMPLATE_CONFIG_FILE = 'config_ini.ini';

export interface TemplateInfo {
  name: string;
  path: string;
  description: string;
  intendedFor: string;
}

/** Reads a TEMPLATE-INFO.txt (RFC 822 style headers with continuation lines). */
export function readTemplateInfo(dir: string): TemplateInfo {
  const fields: Record<string, string> = {};
  let last = '';
  for (const line of readFileSync(join(dir, 'TEMPLATE-INFO.txt'), 'utf8').split(/\r?\n/)) {
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (m) {
      last = m[1]!.toLowerCase();
      fields[last] = m[2]!;
    } else if (/^\s+\S/.test(line) && last) {
      fields[last] += ` ${line.trim()}`;
    }
  }
  return { name: fields.name ?? basename(dir), path: dir, description: fields.description ?? '', intendedFor: fields['intended-for'] ?? '' };
}

/** One place templates are looked for: a directory's sub-directories, or the directory itself. */
export interface TemplateSearchPlace {
  dir: string;
  /** `children`: every sub-directory holding a TEMPLATE-INFO.txt; `self`: the directory itself. */
  look: 'children' | 'self';
  /** How `templates trace_search` names the place (Roundup: the directory, `<cwd>/*`, `<cwd>`). */
  label: string;
}

/**
 * Where templates are looked for, in Roundup's order, later places taking
 * precedence for equal names: the shipped templates, the sub-directories
 * of the current directory (an unpacked third-party template), and the
 * current directory itself (someone who `cd`s into a template).
 */
export function templateSearchPath(cwd: string = process.cwd()): TemplateSearchPlace[] {
  return [
    { dir: BUILTIN_TEMPLATES_DIR, look: 'children', label: BUILTIN_TEMPLATES_DIR },
    { dir: cwd, look: 'children', label: `${cwd}/*` },
    { dir: cwd, look: 'self', label: cwd },
  ];
}

export interface FindTemplatesOptions {
  /** Told about each place searched, before it is searched (`templates trace_search`). */
  onSearch?: (place: TemplateSearchPlace) => void;
  /** Told about directories skipped, with Roundup's warning text. */
  onWarning?: (message: string) => void;
}

/**
 * Template discovery, as Roundup's listTemplates: every directory holding
 * a TEMPLATE-INFO.txt along {@link templateSearchPath}; a later place
 * replaces an earlier template of the same name. Directories holding an
 * old-style `config.py` are skipped with Roundup's warning. Within one
 * directory, sub-directories are taken in name order.
 */
export function findTemplates(cwd: string = process.cwd(), options: FindTemplatesOptions = {}): Map<string, TemplateInfo> {
  const found = new Map<string, TemplateInfo>();
  const consider = (dir: string) => {
    if (!existsSync(join(dir, 'TEMPLATE-INFO.txt'))) return;
    if (existsSync(join(dir, 'config.py'))) {
      options.onWarning?.(`WARNING: directory '${resolve(dir)}'\n\tcontains old-style template - ignored`);
      return;
    }
    const info = readTemplateInfo(dir);
    found.set(info.name, info);
  };
  for (const place of templateSearchPath(cwd)) {
    options.onSearch?.(place);
    if (!existsSync(place.dir)) continue;
    if (place.look === 'self') {
      consider(place.dir);
      continue;
    }
    for (const entry of readdirSync(place.dir).sort()) {
      const dir = join(place.dir, entry);
      if (!entry.startsWith('.') && isDirectory(dir)) consider(dir);
    }
  }
  return found;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export interface InstallOptions {
  /** The tracker home to create or fill. */
  home: string;
  /** Template name (or a path to a template directory). */
  template: string;
  /** `[rdbms] backend`. */
  backend: string;
  /** Settings in `<section>_<option>` form (`tracker_web`, `mail_domain`, ...). */
  settings?: Record<string, string>;
}

/** The settings of a template's config_ini.ini in `<section>_<option>` form (`[main]` options bare). */
function templateSettings(templateDir: string): Record<string, string> {
  const file = join(templateDir, TEMPLATE_CONFIG_FILE);
  const settings: Record<string, string> = {};
  if (!existsSync(file)) return settings;
  for (const section of parseIni(readFileSync(file, 'utf8')).sections.values()) {
    for (const entry of section.entries.values()) {
      settings[section.name === 'main' ? entry.name : `${section.name}_${entry.name}`] = entry.value;
    }
  }
  return settings;
}

/**
 * Roundup's install: copies the template into the home (hidden files
 * skipped; symbolic links copied as the files they point to), renames the
 * template in TEMPLATE-INFO.txt to `<template>-<home name>`, applies and
 * removes a template's config_ini.ini, and writes config.ini if there is
 * none. Settings given here win over the template's config_ini.ini.
 *
 * Every setting is checked before anything is written, so a bad name or
 * value (RUP_ERR_CONFIG listing each one) leaves no half-installed home.
 * An unknown template is RUP_ERR_TRACKER. Returns the configuration of
 * the new tracker (the one written to config.ini unless the template
 * brought its own).
 */
export function installTracker(options: InstallOptions): TrackerConfig {
  const home = resolve(options.home);
  const templates = findTemplates();
  const template = templates.get(options.template) ?? (existsSync(join(options.template, 'TEMPLATE-INFO.txt')) ? readTemplateInfo(resolve(options.template)) : undefined);
  if (!template) {
    throw new RupError('RUP_ERR_TRACKER', `No template "${options.template}" (templates: ${[...templates.keys()].join(', ')})`);
  }
  const config = applyOverrides(createTrackerConfig(home), {
    ...templateSettings(template.path),
    rdbms_backend: options.backend,
    ...(options.settings ?? {}),
  });

  mkdirSync(home, { recursive: true });
  for (const entry of readdirSync(template.path)) {
    if (entry.startsWith('.')) continue;
    cpSync(join(template.path, entry), join(home, entry), {
      recursive: true,
      dereference: true,
      filter: (src) => !basename(src).startsWith('.'),
    });
  }
  const infoFile = join(home, 'TEMPLATE-INFO.txt');
  writeFileSync(infoFile, readFileSync(infoFile, 'utf8').replace(/^Name:.*$/m, `Name: ${template.name}-${basename(home)}`));
  rmSync(join(home, TEMPLATE_CONFIG_FILE), { force: true });
  if (!existsSync(config.file)) writeConfigIni(config);
  return config;
}
