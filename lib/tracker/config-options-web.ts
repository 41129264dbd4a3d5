/**
 * config.ini options of the `[main]`, `[tracker]` and `[web]` sections, in
 * the order Roundup 2.6 writes them. Names, defaults, value types and
 * aliases are Roundup's (`roundup/configuration.py`, `doc/tracker_config.txt`);
 * the descriptions say the same things in our words.
 */

import type { SectionSpec } from './config-options.js';
import {
  booleanType,
  choiceType,
  filePathType,
  integerType,
  mailAddressType,
  multiFilePathType,
  nullableStringType,
  octalType,
  secretType,
  stringType,
  timezoneType,
  webUrlType,
  wordListType,
  mandatoryStringType,
  originListType,
} from './config-types.js';
import { randomBytes } from 'node:crypto';

const geqZero = integerType({ min: 0 });

/** CSRF enforcement levels (Roundup's `CsrfSettingOption`). */
const csrfLevel = choiceType(['required', 'yes', 'logfailure', 'no']);

/** Same token Roundup's `create_token()` makes: 32 random bytes, base64. */
export function createSecretToken(): string {
  return randomBytes(32).toString('base64');
}

const CSRF_HEADER_LEVELS =
  "Set it to 'required' to refuse the request when the header is\n" +
  "missing or does not match, 'yes' to refuse it only when the header\n" +
  "is present and does not match, 'logfailure' to accept the request\n" +
  "but log the problem, or 'no' to skip the check.";

/** The `[main]` section. */
export const MAIN_SECTION: SectionSpec = {
  name: 'main',
  description: "Values set here can be referred to as '%(name)s'\nin other values of this file.",
  options: [
    { name: 'database', type: filePathType, default: 'db', description: 'Directory holding the tracker database.' },
    {
      name: 'template_engine',
      type: choiceType(['zopetal', 'chameleon', 'jinja2']),
      default: 'zopetal',
      description:
        'Template engine the tracker templates are written for:\n' +
        "  'zopetal' for the TAL engine that came from Zope,\n" +
        "  'chameleon' for Chameleon,\n" +
        "  'jinja2' for Jinja2.",
    },
    { name: 'templates', type: filePathType, default: 'html', description: 'Directory holding the HTML templates.' },
    {
      name: 'static_files',
      type: multiFilePathType,
      default: '',
      description:
        'Directories (separated by spaces) holding extra static files\n' +
        'served by the web interface, such as images and style sheets.\n' +
        'They are searched in order before the TEMPLATES directory; a\n' +
        "'-' in the list stops the search there, so the TEMPLATES\n" +
        'directory is not searched. When empty, static files come from\n' +
        'the TEMPLATES directory only. These files are public: anybody\n' +
        'may fetch them without logging in, so keep secrets out of them.',
    },
    {
      name: 'admin_email',
      type: mailAddressType,
      default: 'roundup-admin',
      description:
        'Address that receives complaints when the tracker runs into\n' +
        'trouble. Without a domain part, the [mail] domain is appended.',
    },
    {
      name: 'dispatcher_email',
      type: mailAddressType,
      default: 'roundup-admin',
      description:
        "Address of the 'dispatcher', who is told when mail to a user\n" +
        'could not be sent (see ERROR_MESSAGES_TO). Without a domain\n' +
        'part, the [mail] domain is appended.',
    },
    {
      name: 'email_from_tag',
      type: stringType,
      default: '',
      description:
        'Text added to the name part of the From: address of nosy\n' +
        'messages. For a change by "Foo Bar" the sender normally reads\n' +
        '"Foo Bar" <issue_tracker@tracker.example>; with a tag it reads\n' +
        '"Foo Bar EMAIL_FROM_TAG" <issue_tracker@tracker.example>.',
    },
    {
      name: 'new_web_user_roles',
      type: stringType,
      default: 'User',
      description: 'Comma separated roles given to users who register\nthrough the web interface (e.g. \'Admin,User\').',
    },
    {
      name: 'new_email_user_roles',
      type: stringType,
      default: 'User',
      description: 'Comma separated roles given to users created by the\nmail gateway (e.g. \'Admin,User\').',
    },
    {
      name: 'obsolete_history_roles',
      type: stringType,
      default: 'Admin',
      description:
        'History entries may refer to properties or classes that the\n' +
        'schema no longer has. Ordinary permissions cannot say who may\n' +
        'see those, so only users with one of these comma separated\n' +
        "roles do. Add e.g. 'User' to show them to everybody.",
    },
    {
      name: 'error_messages_to',
      type: choiceType(['user', 'dispatcher', 'both']),
      default: 'user',
      description:
        'Who gets mail about errors while handling incoming mail: the\n' +
        '"user", the "dispatcher" (see DISPATCHER_EMAIL) or "both".',
    },
    {
      name: 'html_version',
      type: choiceType(['html4'], { describe: 'Allowed values: html4' }),
      default: 'html4',
      description: 'HTML flavour of generated markup. Only html4 is supported;\nxhtml is no longer available.',
    },
    {
      name: 'timezone',
      type: timezoneType,
      default: 'UTC',
      aliases: ['DEFAULT_TIMEZONE'],
      description: "Time zone used for users who have not set their own.",
    },
    {
      name: 'instant_registration',
      type: booleanType,
      default: 'no',
      description: 'Create new users as soon as they register, instead of\nwaiting for them to confirm by email.',
    },
    {
      name: 'email_registration_confirmation',
      type: booleanType,
      default: 'yes',
      description: 'Let people confirm their registration by replying to the\nconfirmation email, not only through the web.',
    },
    {
      name: 'indexer',
      type: choiceType(['', 'xapian', 'whoosh', 'native', 'native-fts'], {
        describe: "Allowed values: '', 'xapian', 'whoosh', 'native', 'native-fts'",
      }),
      default: '',
      description:
        'Full-text indexer to use. When empty, the first one available\n' +
        "is picked. 'native-fts' (the database's own full-text search)\n" +
        'is only used when named here.',
    },
    {
      name: 'indexer_language',
      type: stringType,
      default: 'english',
      description:
        'Language of the indexed text, for indexers that stem words or\n' +
        'drop stop words by language (xapian, native-fts). It must be a\n' +
        'language the chosen indexer knows.',
    },
    {
      name: 'indexer_stopwords',
      type: wordListType,
      default: '',
      description:
        'Words, in addition to the built-in list (A, AND, ARE, AS, AT,\n' +
        'BE, BUT, BY, ...), that the full-text indexer never indexes.',
    },
    { name: 'umask', type: octalType, default: '0o002', description: 'File creation mode mask for files the tracker writes.' },
    {
      name: 'csv_field_size',
      type: geqZero,
      default: '131072',
      description:
        'Largest field, in bytes, accepted when importing an export\n' +
        "made by 'roundup-admin export'. Raise it if an import fails\n" +
        'with a message about a field larger than the field limit.',
    },
    {
      name: 'password_pbkdf2_default_rounds',
      type: geqZero,
      default: '250000',
      description:
        'Number of PBKDF2 rounds used when hashing a new password.\n' +
        'Each doubling of the rounds doubles the work needed to check\n' +
        'a password, for the tracker and for an attacker alike; raise\n' +
        'it as machines get faster. Use at least 250000 with the default\n' +
        'PBKDF2-SHA512 scheme; fewer than 1000 rounds are refused.\n' +
        'Stored passwords with fewer rounds are re-hashed on login.\n' +
        'See RFC 2898.',
    },
  ],
};

/** The `[tracker]` section. */
export const TRACKER_SECTION: SectionSpec = {
  name: 'tracker',
  options: [
    { name: 'name', type: stringType, default: 'Roundup issue tracker', description: 'Name of this tracker, shown to its users.' },
    {
      name: 'web',
      type: webUrlType,
      description:
        'Address of the tracker home page, used in links sent to users.\n' +
        'Include every part of the path needed to reach the tracker\n' +
        "(such as a cgi-bin part). It must start with http:// or\nhttps:// and end with '/'.",
    },
    {
      name: 'email',
      type: mailAddressType,
      default: 'issue_tracker',
      description: 'Address that mail for the tracker is sent to. Without a\ndomain part, the [mail] domain is appended.',
    },
    {
      name: 'replyto_address',
      type: stringType,
      default: '',
      description:
        'Reply-To address of nosy messages. When empty the tracker\n' +
        'address above is used. "AUTHOR" uses the primary address of\n' +
        'the person whose change caused the message, so replies go to\n' +
        'them and bypass the tracker (and expose their address). Any\n' +
        'other value is used as the address and must be a valid\n' +
        'RFC 2822 address.',
    },
    {
      name: 'language',
      type: nullableStringType,
      default: '',
      description:
        'Default locale of the tracker. When empty it comes from the\n' +
        'LANGUAGE, LC_ALL, LC_MESSAGES or LANG environment variable,\n' +
        'the first one set.',
    },
  ],
};

/** The `[web]` section. */
export const WEB_SECTION: SectionSpec = {
  name: 'web',
  options: [
    {
      name: 'allow_html_file',
      type: booleanType,
      default: 'no',
      description:
        'Serve uploaded HTML files as HTML. This lets anybody who can\n' +
        'upload a file run scripts in the browsers of other users, so\n' +
        'only enable it when you trust every uploader.',
    },
    {
      name: 'max_upload_size',
      type: geqZero,
      default: '26214400',
      description:
        'Largest request body the web interface accepts, in bytes: the\n' +
        'form fields and every uploaded file of one request together.\n' +
        'A bigger request is refused (413) and nothing of it is stored.\n' +
        '0 means no limit, as in Python Roundup, which has none.',
    },
    {
      name: 'http_auth',
      type: booleanType,
      default: 'yes',
      description:
        'Accept users authenticated by the web server: the REMOTE_USER\n' +
        'variable (or the header named by http_auth_header), then HTTP\n' +
        "Basic authentication. Set it to 'no' to ignore both.",
    },
    {
      name: 'http_auth_header',
      type: stringType,
      default: '',
      description:
        'HTTP header carrying the user name when an upstream web\n' +
        'server authenticates users. When empty, REMOTE_USER is used.',
    },
    {
      name: 'dynamic_compression',
      type: booleanType,
      default: 'yes',
      description:
        'Compress responses on the fly when the client accepts it\n' +
        '(Accept-Encoding). Turn it off when a front server already\n' +
        'compresses dynamic pages.',
    },
    {
      name: 'use_precompressed_files',
      type: booleanType,
      default: 'no',
      description:
        'Serve a precompressed copy of a static file (.gzip, .br or\n' +
        '.zstd next to the original) when the client accepts it. You\n' +
        'create those copies; without one the plain file is served.',
    },
    {
      name: 'http_auth_convert_realm_to_lowercase',
      type: booleanType,
      default: 'no',
      description:
        'When REMOTE_USER has the form user@REALM (e.g. Kerberos),\n' +
        'lower-case the realm part before looking up the user, so\n' +
        'tracker user names can stay in lower case.',
    },
    {
      name: 'cookie_takes_precedence',
      type: booleanType,
      default: 'no',
      description:
        'When both a session cookie and a web server login\n' +
        '(REMOTE_USER or HTTP authorization) are present, use the\n' +
        'cookie. This allows logging in as another user on top of the\n' +
        "web server's authentication.\n",
    },
    {
      name: 'login_attempts_min',
      type: geqZero,
      default: '3',
      description:
        'Login attempts allowed per user and minute; further attempts\n' +
        'are told to wait. This slows down password guessing. 0 turns\n' +
        'the limit off.',
    },
    {
      name: 'registration_delay',
      type: geqZero,
      default: '4',
      description:
        'Seconds that must pass between showing the registration form\n' +
        'and submitting it, to slow down robots. 0 turns the check off.',
    },
    {
      name: 'registration_prevalidate_username',
      type: booleanType,
      default: 'no',
      description:
        'Check that a user name is free before sending the registration\n' +
        'email, rather than when the registration is confirmed. Off by\n' +
        'default because it lets people probe for existing user names.\n',
    },
    {
      name: 'samesite_cookie_setting',
      type: choiceType(['Strict', 'Lax', 'None'], { describe: 'Allowed values: Strict, Lax, None' }),
      default: 'Lax',
      description:
        "SameSite attribute of the session cookie: 'Lax' or 'Strict';\n" +
        "'None' leaves the attribute out. Strict guards better against\n" +
        'CSRF but logged-in users following a tracker link from\n' +
        'elsewhere (e.g. an email) arrive logged out.',
    },
    {
      name: 'enable_xmlrpc',
      type: booleanType,
      default: 'yes',
      description:
        "Serve the XML-RPC API at 'xmlrpc' below the tracker address.\n" +
        "With 'no' that path has no special meaning and yields an error.",
    },
    {
      name: 'translate_xmlrpc',
      type: booleanType,
      default: 'no',
      description: "Translate XML-RPC messages into the browser's, the tracker's\nor the environment's language.",
    },
    {
      name: 'enable_rest',
      type: booleanType,
      default: 'yes',
      description:
        "Serve the REST API at 'rest' below the tracker address.\n" +
        "With 'no' that path has no special meaning and yields an error.",
    },
    {
      name: 'translate_rest',
      type: booleanType,
      default: 'no',
      description: "Translate REST messages into the browser's, the tracker's\nor the environment's language.",
    },
    {
      name: 'rest_logging',
      type: choiceType(['none', 'debug', 'info', 'warning', 'error', 'critical']),
      default: 'none',
      description: 'Log level for errors reported by the REST API.',
    },
    {
      name: 'api_calls_per_interval',
      type: geqZero,
      default: '0',
      description:
        'API calls (REST and XML-RPC) a client may make per\n' +
        'api_interval_in_sec; calls over the limit get status 429 and\n' +
        'are told how long to wait. With 360 calls per 3600 seconds a\n' +
        'new call becomes available every 10 seconds. 0 turns the\n' +
        'limit off.\n',
    },
    {
      name: 'api_interval_in_sec',
      type: geqZero,
      default: '3600',
      description: 'Length in seconds of the window api_calls_per_interval\napplies to.\n',
    },
    {
      name: 'api_failed_login_limit',
      type: geqZero,
      default: '4',
      description:
        'Failed API logins allowed per api_failed_login_interval_in_sec;\n' +
        'past it even a correct password is refused for a while.\n' +
        '0 turns the limit off, which is not recommended.\n',
    },
    {
      name: 'api_failed_login_interval_in_sec',
      type: geqZero,
      default: '600',
      description: 'Length in seconds of the window api_failed_login_limit\napplies to.\n',
    },
    {
      name: 'use_tokenless_csrf_protection',
      type: booleanType,
      default: 'no',
      description:
        'Use the newer CSRF protection that needs no token in forms.\n' +
        'When enabled the token and header settings below are ignored.\n',
    },
    {
      name: 'allowed_api_origins',
      type: originListType,
      default: '',
      description:
        'Extra Origin header values accepted, in addition to the origin\n' +
        'of the tracker address. With token CSRF protection they apply\n' +
        'to the APIs (/rest and /xmlrpc) only; with tokenless protection\n' +
        'they apply to every URL. Each must be exactly scheme://host as\n' +
        "browsers send it (no path, case sensitive). '*' accepts any\n" +
        'origin for the APIs and must come first; it lets any web page\n' +
        'make anonymous requests to the tracker.\n',
    },
    {
      name: 'csrf_enforce_token',
      type: csrfLevel,
      default: 'yes',
      description:
        'What to do with the @csrf token of posted forms:\n' +
        "'required' refuses the post when the token is missing or\n" +
        "    invalid; 'yes' refuses it when the token is invalid but\n" +
        "    accepts a form without one; 'logfailure' accepts the post\n" +
        "    and logs the problem; 'no' ignores the token.\n",
    },
    {
      name: 'csrf_token_lifetime',
      type: geqZero,
      default: '20160',
      description: 'Minutes an unused CSRF token stays valid before it is\npurged. The default, 20160, is two weeks.',
    },
    {
      name: 'csrf_enforce_header_x-requested-with',
      type: csrfLevel,
      default: 'yes',
      description:
        'For REST and XML-RPC requests only, after the Origin and\n' +
        'Referer checks: require an X-Requested-With header (any\n' +
        "value). 'required' and 'yes' refuse a request without it;\n" +
        "'logfailure' and 'no' accept it.",
    },
    {
      name: 'csrf_enforce_header_referer',
      type: csrfLevel,
      default: 'yes',
      description: 'Check that the Referer header points into the tracker\naddress ([tracker] web).\n' + CSRF_HEADER_LEVELS,
    },
    {
      name: 'csrf_enforce_header_origin',
      type: csrfLevel,
      default: 'yes',
      description: 'Check that the Origin header matches the tracker address\n([tracker] web).\n' + CSRF_HEADER_LEVELS,
    },
    {
      name: 'csrf_enforce_header_x-forwarded-host',
      type: csrfLevel,
      default: 'yes',
      description: 'Check that the X-Forwarded-Host header matches the host of\nthe tracker address ([tracker] web).\n' + CSRF_HEADER_LEVELS,
    },
    {
      name: 'csrf_enforce_header_host',
      type: csrfLevel,
      default: 'yes',
      description:
        'When there is no X-Forwarded-Host header, check that the Host\n' +
        'header matches the host of the tracker address.\n' +
        CSRF_HEADER_LEVELS,
    },
    {
      name: 'csrf_header_min_count',
      type: geqZero,
      default: '1',
      description:
        'How many of the header checks above must pass for a request\n' +
        'to be accepted. 0 accepts requests that pass none; since the\n' +
        'Host check nearly always passes, less than 1 is not advised.',
    },
    {
      name: 'use_browser_language',
      type: booleanType,
      default: 'yes',
      description: "Use the language preferences the browser sends\n(Accept-Language). Set it to 'no' to ignore them.",
    },
    {
      name: 'debug',
      type: booleanType,
      default: 'no',
      description: 'Show error details in the browser instead of mailing them\nto the tracker admin.',
    },
    {
      name: 'login_empty_passwords',
      type: booleanType,
      default: 'no',
      description: 'Let users whose password is empty log in through the web\nand HTTP interfaces.',
    },
    {
      name: 'migrate_passwords',
      type: booleanType,
      default: 'yes',
      description:
        'When a user logs in through the web, re-hash a password stored\n' +
        'with an outdated scheme (or too few rounds) with the current one.',
    },
    {
      name: 'secret_key',
      type: secretType(mandatoryStringType),
      default: createSecretToken,
      description:
        'Secret of this tracker used when computing ETags, so hidden\n' +
        'data cannot be guessed by comparing ETags. It must not be\n' +
        'empty and must stay the same across restarts: changing it\n' +
        'invalidates the ETags clients hold. A new random default is\n' +
        "made each time the file is generated (e.g. by 'roundup-admin\n" +
        "updateconfig'), so keep the value you have.\n",
    },
    {
      name: 'jwt_secret',
      type: secretType(mandatoryStringType),
      default: 'disabled',
      description:
        'Secrets, separated by commas, for signing and checking JSON\n' +
        'Web Tokens. It must not be empty even when JWTs are not used.\n' +
        'The first secret signs new tokens, the others still validate\n' +
        'older ones, which allows rotating secrets. A first secret\n' +
        'shorter than 32 characters disables JWTs (the default); any\n' +
        'other secret shorter than that is an error. Removing a secret\n' +
        'invalidates the tokens signed with it. JWT support is\n' +
        'experimental.\n',
    },
    {
      name: 'use_browser_date_input',
      type: booleanType,
      default: 'no',
      description:
        "Use the browser's date pickers (input type datetime-local or\n" +
        'date) for Date properties instead of text fields. Off by\n' +
        'default because browsers pick the date format from their own\n' +
        'language settings.',
    },
    {
      name: 'use_browser_number_input',
      type: booleanType,
      default: 'no',
      description: "Use input type 'number' for Number and Integer properties\ninstead of text fields.",
    },
  ],
};
