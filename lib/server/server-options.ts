/**
 * The `[main]` options of roundup-server: their names (also the
 * `--name=value` long options), short flags, defaults and descriptions,
 * in Roundup's order. `base_path` and `trusted_proxies` are ours
 * (Roundup serves at the root only, and passes the forwarding headers of
 * every peer through).
 */

/** How an option's text is read. */
export type OptionKind = 'text' | 'integer' | 'boolean' | 'path' | 'list';

export interface ServerOptionSpec {
  readonly name: string;
  /** The short command-line flag, without `-`. */
  readonly short?: string;
  readonly kind: OptionKind;
  readonly default: string;
  /** Comment lines written above the option by `-S`. */
  readonly description: string;
}

/** Roundup's `multiprocess` values; `thread` runs like `none` here (Node serves requests concurrently in one process). */
export const MULTIPROCESS_TYPES = ['debug', 'none', 'thread', 'fork'] as const;
export type MultiprocessType = (typeof MULTIPROCESS_TYPES)[number];

export const DEFAULT_PORT = 8080;

export const SERVER_OPTIONS: readonly ServerOptionSpec[] = [
  {
    name: 'host',
    short: 'n',
    kind: 'text',
    default: 'localhost',
    description:
      'Host name or IP address of the Roundup web server instance.\n' +
      'Use 0.0.0.0 to listen on all network interfaces (an empty\n' +
      'value also does, but is deprecated).',
  },
  { name: 'port', short: 'p', kind: 'integer', default: String(DEFAULT_PORT), description: 'Port to listen on.' },
  {
    name: 'favicon',
    kind: 'path',
    default: 'favicon.ico',
    description: 'Path to favicon.ico image file.  If unset, built-in favicon.ico is used.',
  },
  {
    name: 'user',
    short: 'u',
    kind: 'text',
    default: '',
    description:
      'User ID as which the server will answer requests.\n' +
      'In order to use this option, the server must be run initially as root.\n' +
      'Availability: Unix.',
  },
  {
    name: 'group',
    short: 'g',
    kind: 'text',
    default: '',
    description:
      'Group ID as which the server will answer requests.\n' +
      'In order to use this option, the server must be run initially as root.\n' +
      'Availability: Unix.',
  },
  {
    name: 'max_children',
    short: 'm',
    kind: 'integer',
    default: '40',
    description:
      'Maximum number of worker processes in fork multiprocess mode\n' +
      '(no more are started than there are processors).',
  },
  { name: 'nodaemon', short: 'D', kind: 'boolean', default: 'no', description: "Stay in the foreground even with a pidfile (the pidfile is still written)." },
  { name: 'log_hostnames', short: 'N', kind: 'boolean', default: 'no', description: 'Log client machine names instead of IP addresses (much slower)' },
  {
    name: 'loghttpvialogger',
    short: 'L',
    kind: 'boolean',
    default: 'no',
    description:
      'Have http(s) request logging done via the logger roundup.http\n' +
      '(lines in the logging format, with level and trace id).\n' +
      'Otherwise request lines go to stderr or the logfile as they are.',
  },
  {
    name: 'log_proxy_header',
    short: 'P',
    kind: 'boolean',
    default: 'no',
    description:
      'Log the first address of the X-Forwarded-For header, followed\n' +
      'by "+", instead of the address of the proxy that connected.\n' +
      'Use only when the server is reachable from trusted proxies alone.',
  },
  {
    name: 'pidfile',
    short: 'd',
    kind: 'path',
    default: '',
    description: 'File to which the server records the process id of the daemon.\nIf this option is not set, the server will run in foreground\n',
  },
  { name: 'logfile', short: 'l', kind: 'path', default: '', description: 'Log file path.  If unset, log to stderr.' },
  {
    name: 'multiprocess',
    short: 't',
    kind: 'text',
    default: 'fork',
    description: `Set processing of requests in several worker processes.\nAllowed values: ${MULTIPROCESS_TYPES.join(', ')}.`,
  },
  { name: 'template', short: 'i', kind: 'path', default: '', description: 'Tracker index template (Nunjucks). If unset, built-in will be used.' },
  { name: 'ssl', short: 's', kind: 'boolean', default: 'no', description: 'Enable SSL support' },
  {
    name: 'pem',
    short: 'e',
    kind: 'path',
    default: '',
    description: 'PEM file used for SSL. A temporary self-signed certificate\nwill be used if left blank.',
  },
  {
    name: 'include_headers',
    short: 'I',
    kind: 'list',
    default: '',
    description:
      'Comma separated list of extra headers that should\n' +
      'be copied into the CGI environment.\n' +
      'E.G. if you want to access the REMOTE_USER and\n' +
      'X-Proxy-User headers in the back end,\n' +
      'set to the value REMOTE_USER,X-Proxy-User.',
  },
  { name: 'http_version', short: 'V', kind: 'text', default: 'HTTP/1.1', description: 'Change to HTTP/1.0 if needed. This disables keepalive.' },
  {
    name: 'base_path',
    kind: 'text',
    default: '/',
    description:
      'URL path the trackers are served under: /roundup/ serves\n' +
      'tracker "support" at /roundup/support/. For a reverse proxy that\n' +
      'forwards such a path to this server unchanged.',
  },
  {
    name: 'trusted_proxies',
    kind: 'list',
    default: '',
    description:
      'Comma separated addresses or networks (127.0.0.1, 10.0.0.0/8)\n' +
      'of reverse proxies whose X-Forwarded-For, X-Forwarded-Proto and\n' +
      'X-Forwarded-Host headers are honoured. From other clients those\n' +
      'headers are removed.',
  },
];

/** The spec of `[main]` option `name`. */
export function findServerOption(name: string): ServerOptionSpec | undefined {
  return SERVER_OPTIONS.find((spec) => spec.name === name);
}

/** The spec of short flag `flag` (without `-`). */
export function findShortOption(flag: string): ServerOptionSpec | undefined {
  return SERVER_OPTIONS.find((spec) => spec.short === flag);
}
