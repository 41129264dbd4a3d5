/**
 * The pragmas a roundup-admin session starts with: Roundup's settings and
 * their initial values (`pragma list` shows them; `-P name=value` and the
 * `pragma` command change them). Names starting with `_` are Roundup's
 * hidden settings, shown only in verbose mode.
 */
export function defaultPragmas(): Map<string, string | number | boolean> {
  return new Map<string, string | number | boolean>([
    ['display_header', false],
    ['display_protected', false],
    ['indexer_backend', 'as set in config.ini'],
    ['history_features', 0],
    ['history_length', -1],
    ['_reopen_tracker', false],
    ['savepoint_limit', 10000],
    ['show_retired', 'no'],
    ['verbose', false],
    ['_inttest', 3],
    ['_floattest', 3.5],
  ]);
}

/**
 * Which items `list` and `table` show under pragma show_retired, in the
 * form `getnodeids` takes: `no` active only (false), `only` retired only
 * (true), `both` everything (null).
 */
export function retiredFilter(pragmas: ReadonlyMap<string, string | number | boolean>): boolean | null {
  const value = pragmas.get('show_retired');
  if (value === 'only') return true;
  if (value === 'both') return null;
  return false;
}

/** A boolean pragma's value (false when unset or not a boolean). */
export function pragmaFlag(pragmas: ReadonlyMap<string, string | number | boolean>, name: string): boolean {
  return pragmas.get(name) === true;
}
