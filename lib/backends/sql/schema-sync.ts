import { RupError } from '../../errors.js';
import type { Schema, StoredClassShape } from '../../hyperdb/schema.js';
import type { AnyProperty } from '../../hyperdb/properties.js';
import { type Dialect, column, intervalSecondsColumn, itemTable, journalTable, multilinkTable, q } from './dialect.js';
import type { SqlExecutor } from './executor.js';

/**
 * The version of our table layout. `roundup-admin migrate` reports it; a
 * database written by a newer version is refused rather than damaged.
 */
export const LAYOUT_VERSION = 1;

/** The PostgreSQL advisory lock (per database) that schema changes take turns on. */
const SCHEMA_LOCK_KEY = 0x52555053;

/** What `[rdbms] allow_create/allow_alter/allow_drop` permit. */
export interface SchemaChangePolicy {
  allowCreate: boolean;
  allowAlter: boolean;
  allowDrop: boolean;
}

export interface SchemaSyncResult {
  /** One line per change made, e.g. `added column issue.severity`. */
  changes: string[];
  /** True when the database was empty before. */
  created: boolean;
  /** The layout version the database had before (null when it was empty); below LAYOUT_VERSION when this run upgraded it. */
  previousVersion: number | null;
}

interface StoredSchema {
  version: number;
  classes: Record<string, StoredClassShape>;
}

function columnDefs(dialect: Dialect, prop: AnyProperty): string[] {
  const t = dialect.types;
  const col = q(column(prop.name));
  switch (prop.kind) {
    case 'Date':
      return [`${col} ${t.bigint}`];
    case 'Interval':
      return [`${col} ${t.text}`, `${q(intervalSecondsColumn(prop.name))} ${t.bigint}`];
    case 'Link':
    case 'Boolean':
      return [`${col} ${t.integer}`];
    case 'Integer':
      return [`${col} ${t.bigint}`];
    case 'Number':
      return [`${col} ${t.double}`];
    default:
      return [`${col} ${t.text}`];
  }
}

const isMultilink = (desc: string) => desc.startsWith('<roundup.hyperdb.Multilink');

const indexName = (table: string, what: string) => q(`${table}_${what}_idx`);

/** Applies schema.js to the database: tables, columns, indexes, recorded shape. */
export class SchemaSync {
  readonly changes: string[] = [];

  constructor(
    private readonly exec: SqlExecutor,
    private readonly dialect: Dialect,
    private readonly schema: Schema,
    private readonly policy: SchemaChangePolicy,
  ) {}

  private allow(kind: keyof SchemaChangePolicy, what: string): void {
    if (!this.policy[kind]) {
      const option = { allowCreate: 'allow_create', allowAlter: 'allow_alter', allowDrop: 'allow_drop' }[kind];
      throw new RupError('RUP_ERR_SCHEMA', `the schema needs a change (${what}) but [rdbms] ${option} is no`);
    }
  }

  private async readStored(): Promise<StoredSchema | null> {
    await this.exec.run(`CREATE TABLE IF NOT EXISTS "__schema" (version INTEGER NOT NULL, shape TEXT NOT NULL)`);
    const rows = await this.exec.all<{ version: number; shape: string }>('SELECT version, shape FROM "__schema"');
    if (!rows.length) return null;
    return { version: Number(rows[0]!.version), classes: JSON.parse(rows[0]!.shape) };
  }

  /** Runs inside a write transaction; safe to call from several processes at once. */
  async run(): Promise<SchemaSyncResult> {
    // SQLite's BEGIN IMMEDIATE already excludes other writers. PostgreSQL
    // transactions would all read the old shape and then collide creating
    // the same tables, so they take turns on a lock held until COMMIT.
    if (this.dialect.name === 'postgresql') await this.exec.all('SELECT pg_advisory_xact_lock(?)', [SCHEMA_LOCK_KEY]);
    const stored = await this.readStored();
    if (stored && stored.version > LAYOUT_VERSION) {
      throw new RupError(
        'RUP_ERR_TRACKER',
        `the database has layout version ${stored.version}, newer than this software supports (${LAYOUT_VERSION})`,
      );
    }
    const current = this.schema.shape();
    const old = stored?.classes ?? {};
    for (const [name, shape] of Object.entries(current)) {
      if (!old[name]) await this.createClass(name);
      else await this.alterClass(name, old[name], shape);
    }
    for (const name of Object.keys(old)) {
      if (!current[name]) await this.dropClass(name, old[name]);
    }
    if (!stored || this.changes.length || stored.version !== LAYOUT_VERSION) {
      await this.exec.run('DELETE FROM "__schema"');
      await this.exec.run('INSERT INTO "__schema" (version, shape) VALUES (?, ?)', [LAYOUT_VERSION, JSON.stringify(current)]);
    }
    return { changes: this.changes, created: !stored, previousVersion: stored?.version ?? null };
  }

  private async createClass(name: string): Promise<void> {
    this.allow('allowCreate', `create class ${name}`);
    const cls = this.schema.getClass(name);
    const table = itemTable(name);
    const t = this.dialect.types;
    const cols = [
      `id ${t.integer} PRIMARY KEY`,
      `__retired__ ${t.integer} NOT NULL DEFAULT 0`,
      `${q('_activity')} ${t.bigint}`,
      `${q('_creation')} ${t.bigint}`,
      `${q('_creator')} ${t.integer}`,
      `${q('_actor')} ${t.integer}`,
    ];
    const multilinks: AnyProperty[] = [];
    for (const prop of this.storedProperties(name)) {
      if (prop.kind === 'Multilink') multilinks.push(prop);
      else cols.push(...columnDefs(this.dialect, prop));
    }
    await this.exec.run(`CREATE TABLE ${q(table)} (${cols.join(', ')})`);
    for (const prop of this.storedProperties(name)) {
      if (prop.kind === 'Link') await this.createLinkIndex(table, prop.name);
    }
    await this.createKeyIndex(name, cls.getkey());
    for (const prop of multilinks) await this.createMultilinkTable(name, prop.name);
    const jt = journalTable(name);
    await this.exec.run(
      `CREATE TABLE ${q(jt)} (seq ${this.dialect.name === 'sqlite' ? 'INTEGER PRIMARY KEY' : 'BIGSERIAL PRIMARY KEY'}, ` +
        `nodeid ${t.integer} NOT NULL, date ${t.bigint} NOT NULL, tag ${t.text}, action ${t.text} NOT NULL, params ${t.text})`,
    );
    await this.exec.run(`CREATE INDEX ${indexName(jt, 'nodeid')} ON ${q(jt)} (nodeid)`);
    await this.dialect.createIdCounter(this.exec, name);
    this.changes.push(`created class ${name}`);
  }

  /** Properties with storage (reverse multilinks are computed). */
  private storedProperties(name: string): AnyProperty[] {
    const cls = this.schema.getClass(name);
    return [...cls.properties.values()].filter((p) => !p.computed && !(cls.kind === 'file' && p.name === 'content'));
  }

  private async createLinkIndex(table: string, prop: string): Promise<void> {
    await this.exec.run(`CREATE INDEX ${indexName(table, column(prop))} ON ${q(table)} (${q(column(prop))})`);
  }

  private async createKeyIndex(classname: string, key: string | null): Promise<void> {
    if (!key) return;
    const table = itemTable(classname);
    try {
      await this.exec.run(`CREATE UNIQUE INDEX ${indexName(table, 'key')} ON ${q(table)} (${q(column(key))}, __retired__)`);
    } catch (err) {
      // Existing items may repeat the values of a property that becomes the key.
      if (!this.dialect.isUniqueViolation(err)) throw err;
      throw new RupError('RUP_ERR_SCHEMA', `cannot make ${classname}.${key} the key: active items of ${classname} share a value of ${key}`, { cause: err });
    }
  }

  private async createMultilinkTable(classname: string, prop: string): Promise<void> {
    const mt = multilinkTable(classname, prop);
    const t = this.dialect.types;
    await this.exec.run(`CREATE TABLE ${q(mt)} (linkid ${t.integer} NOT NULL, nodeid ${t.integer} NOT NULL, PRIMARY KEY (nodeid, linkid))`);
    await this.exec.run(`CREATE INDEX ${indexName(mt, 'linkid')} ON ${q(mt)} (linkid)`);
  }

  private async alterClass(name: string, old: StoredClassShape, shape: StoredClassShape): Promise<void> {
    const table = itemTable(name);
    const cls = this.schema.getClass(name);
    const dropped = Object.entries(old.properties).filter(([pname, desc]) => shape.properties[pname] !== desc);
    const added = Object.entries(shape.properties).filter(([pname, desc]) => old.properties[pname] !== desc);
    // The key index moves with the key; SQLite cannot drop the column it uses, so it goes first.
    const rebuildKey = old.key !== shape.key || dropped.some(([pname]) => pname === old.key);
    if (rebuildKey) {
      this.allow('allowAlter', `rebuild the key index of ${name}`);
      await this.exec.run(`DROP INDEX IF EXISTS ${indexName(table, 'key')}`);
    }
    for (const [pname, desc] of dropped) await this.dropProperty(name, pname, desc);
    for (const [pname] of added) {
      this.allow('allowAlter', `add property ${name}.${pname}`);
      const prop = cls.prop(pname);
      if (prop.kind === 'Multilink') {
        await this.createMultilinkTable(name, pname);
      } else {
        for (const def of columnDefs(this.dialect, prop)) await this.exec.run(`ALTER TABLE ${q(table)} ADD COLUMN ${def}`);
        if (prop.kind === 'Link') await this.createLinkIndex(table, pname);
      }
      this.changes.push(`added property ${name}.${pname}`);
    }
    if (rebuildKey) {
      await this.createKeyIndex(name, shape.key);
      if (old.key !== shape.key) this.changes.push(`changed the key of ${name} to ${shape.key ?? '(none)'}`);
    }
  }

  /**
   * Drops a property's storage. Like every change to an existing class's
   * tables this is governed by allow_alter, as in Roundup (allow_drop is
   * about whole classes). A changed type is dropped and re-added, so the
   * property starts empty; Roundup keeps the old column and values, which
   * then cannot be read as the new type.
   */
  private async dropProperty(classname: string, pname: string, desc: string): Promise<void> {
    this.allow('allowAlter', `drop property ${classname}.${pname}`);
    const table = itemTable(classname);
    if (isMultilink(desc)) {
      await this.exec.run(`DROP TABLE IF EXISTS ${q(multilinkTable(classname, pname))}`);
    } else {
      await this.exec.run(`DROP INDEX IF EXISTS ${indexName(table, column(pname))}`);
      const existing = new Set(await this.dialect.listColumns(this.exec, table));
      for (const col of [column(pname), intervalSecondsColumn(pname)]) {
        if (existing.has(col)) await this.exec.run(`ALTER TABLE ${q(table)} DROP COLUMN ${q(col)}`);
      }
    }
    this.changes.push(`removed property ${classname}.${pname}`);
  }

  private async dropClass(name: string, old: StoredClassShape): Promise<void> {
    this.allow('allowDrop', `drop class ${name}`);
    for (const [pname, desc] of Object.entries(old.properties)) {
      if (isMultilink(desc)) await this.exec.run(`DROP TABLE IF EXISTS ${q(multilinkTable(name, pname))}`);
    }
    await this.exec.run(`DROP TABLE IF EXISTS ${q(itemTable(name))}`);
    await this.exec.run(`DROP TABLE IF EXISTS ${q(journalTable(name))}`);
    await this.dialect.dropIdCounter(this.exec, name);
    this.changes.push(`dropped class ${name}`);
  }
}

