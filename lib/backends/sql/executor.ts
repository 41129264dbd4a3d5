/**
 * The narrow surface every SQL user (hyperdb storage, indexers, session
 * stores) talks to. Statements use `?` placeholders in both dialects; the
 * PostgreSQL connection rewrites them to `$1..$n`. Values are always bound,
 * never spliced into SQL text.
 */
export type SqlDialect = 'sqlite' | 'postgresql';

export type SqlValue = string | number | bigint | boolean | null | Buffer;

export interface RunResult {
  /** Rows changed by an INSERT, UPDATE or DELETE. */
  changes: number;
}

export interface SqlExecutor {
  readonly dialect: SqlDialect;
  /** All rows of a query, as objects keyed by column name. */
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** A statement whose rows are not wanted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
}
