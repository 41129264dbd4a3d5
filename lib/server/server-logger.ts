/**
 * Where roundup-server writes what is not an access line: start-up,
 * trackers that fail to load, errors inside a tracker. Messages are one
 * line each (a stack trace may follow on its own lines) and never hold
 * request data beyond the method and path.
 */
export interface ServerLogger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
}

/** Writes `rup:server <level>: <message>` lines to `write` (standard error by default). */
export function lineLogger(write: (line: string) => void = (line) => process.stderr.write(line)): ServerLogger {
  return {
    error: (message) => write(`rup:server error: ${message}\n`),
    warn: (message) => write(`rup:server warning: ${message}\n`),
    info: (message) => write(`rup:server: ${message}\n`),
  };
}
