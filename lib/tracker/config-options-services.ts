/**
 * config.ini options of the `[rdbms]`, `[sessiondb]`, `[logging]`,
 * `[mail]`, `[mailgw]`, `[pgp]`, `[nosy]` and `[markdown]` sections, in the
 * order Roundup 2.6 writes them. Names, defaults, value types and aliases
 * are Roundup's (`roundup/configuration.py`, `doc/tracker_config.txt`); the
 * descriptions say the same things in our words.
 */

import type { SectionSpec } from './config-options.js';
import {
  booleanType,
  choiceType,
  filePathType,
  integerType,
  loggingFormatType,
  nullableFilePathType,
  nullableStringType,
  redisUrlType,
  regExpType,
  secretType,
  stringType,
} from './config-types.js';

const geqZero = integerType({ min: 0 });
/** When a rule applies: always, never or for new items only (Roundup's `RunDetectorOption`). */
const yesNoNew = choiceType(['yes', 'no', 'new']);

/**
 * Storage backends this server implements. Roundup lists the backends it
 * can import (`anydbm`, `sqlite`, `postgresql`, `mysql`); trackers moved
 * here use sqlite or postgresql.
 */
export const AVAILABLE_BACKENDS: readonly string[] = ['sqlite', 'postgresql'];

/** Session store backends that fit each main backend (Roundup's table, plus redis with postgresql). */
export const SESSION_BACKENDS: Readonly<Record<string, readonly string[]>> = {
  anydbm: ['anydbm', 'redis'],
  sqlite: ['sqlite', 'anydbm', 'redis'],
  mysql: ['mysql'],
  postgresql: ['postgresql', 'redis'],
};

/** The `[rdbms]` section. */
export const RDBMS_SECTION: SectionSpec = {
  name: 'rdbms',
  description: 'Most settings of this section (all but backend and debug_filter)\nonly matter for SQL database servers.',
  options: [
    {
      name: 'backend',
      type: choiceType(AVAILABLE_BACKENDS, { describe: `Available backends: ${AVAILABLE_BACKENDS.join(', ')}` }),
      description: 'Database backend.',
    },
    {
      name: 'debug_filter',
      type: booleanType,
      default: 'no',
      description:
        'Permissions may come with filter functions that let the\n' +
        'database drop items a user may not see, as a faster twin of\n' +
        'their check functions. Turn this on to ignore the filter\n' +
        'functions and use only the checks, to find a filter that\n' +
        'disagrees with its check or to measure the difference.',
    },
    {
      name: 'name',
      type: stringType,
      default: 'roundup',
      aliases: ['MYSQL_DBNAME'],
      description: 'Name of the database. For PostgreSQL it may be\ndatabase.schema to use one schema of a database.',
    },
    { name: 'host', type: nullableStringType, default: 'localhost', aliases: ['MYSQL_DBHOST'], description: 'Host of the database server.' },
    {
      name: 'port',
      type: nullableStringType,
      default: '',
      description:
        'TCP port of the database server (PostgreSQL usually listens on\n' +
        '5432, MySQL on 3306). Leave it empty for the default port.',
    },
    { name: 'user', type: nullableStringType, default: 'roundup', aliases: ['MYSQL_DBUSER'], description: 'User name for logging in to the database.' },
    {
      name: 'password',
      type: secretType(nullableStringType),
      default: 'roundup',
      aliases: ['MYSQL_DBPASSWORD'],
      description: 'Password for logging in to the database.',
    },
    {
      name: 'service',
      type: nullableStringType,
      default: '',
      description: 'PostgreSQL connection service name (from a pg_service.conf\nfile, as psql uses). PostgreSQL only.',
    },
    {
      name: 'read_default_file',
      type: nullableStringType,
      default: '~/.my.cnf',
      description: 'MySQL option file to read connection defaults from.\nMySQL only.',
    },
    {
      name: 'read_default_group',
      type: nullableStringType,
      default: 'roundup',
      description: 'Group of the MySQL option file (.my.cnf) to use.\nMySQL only.',
    },
    {
      name: 'mysql_charset',
      type: stringType,
      default: 'utf8mb4',
      description:
        "Character set of the MySQL connection and databases. With\n'default' no character set is given when connecting and\nutf8mb4 is used for the databases. MySQL only.",
    },
    {
      name: 'mysql_collation',
      type: stringType,
      default: 'utf8mb4_unicode_ci',
      description:
        'Collation of MySQL databases and tables; it must suit\n' +
        "mysql_charset. When upgrading, 'utf8' matches the older\n'utf8mb3'. MySQL only.",
    },
    {
      name: 'mysql_binary_collation',
      type: stringType,
      default: 'utf8mb4_0900_bin',
      description:
        'Case-sensitive collation of MySQL databases and tables; it\n' +
        "must suit mysql_collation. When upgrading, 'utf8_bin' matches\nthe older 'utf8mb3_bin'. MySQL only.",
    },
    {
      name: 'sqlite_timeout',
      type: geqZero,
      default: '30',
      description: 'Seconds to wait for a locked SQLite database before giving\nup. SQLite only.',
    },
    {
      name: 'cache_size',
      type: geqZero,
      default: '100',
      description: 'Number of recently used items kept in memory.',
    },
    { name: 'allow_create', type: booleanType, default: 'yes', description: "With 'no' the database refuses to create tables." },
    { name: 'allow_alter', type: booleanType, default: 'yes', description: "With 'no' the database refuses to alter tables." },
    { name: 'allow_drop', type: booleanType, default: 'yes', description: "With 'no' the database refuses to drop tables." },
    {
      name: 'template',
      type: nullableStringType,
      default: '',
      description:
        'PostgreSQL template used when creating the database. Its\n' +
        'encoding must be UTF8; if creating the database fails with a\n' +
        'message that UTF8 does not match the encoding of the template\n' +
        '(e.g. SQL_ASCII), set this to the template the message names,\n' +
        'such as template0.',
    },
    {
      name: 'isolation_level',
      type: choiceType(['read uncommitted', 'read committed', 'repeatable read', 'serializable'], {
        describe: "Allowed values: 'read uncommitted', 'read committed', 'repeatable read', 'serializable'",
      }),
      default: 'read committed',
      description: 'Transaction isolation level of the database connection\n(PostgreSQL and MySQL).',
    },
    {
      name: 'serverside_cursor',
      type: booleanType,
      default: 'yes',
      description:
        'Read the results of filter queries through a server-side\n' +
        'cursor so large results are not held in memory at once.\n' +
        'PostgreSQL only.',
    },
  ],
};

/** The `[sessiondb]` section. */
export const SESSIONDB_SECTION: SectionSpec = {
  name: 'sessiondb',
  description: 'Where sessions and one-time keys are stored.',
  options: [
    {
      name: 'backend',
      type: choiceType(['', 'anydbm', 'sqlite', 'redis', 'mysql', 'postgresql'], {
        describe: "Allowed values: '', 'anydbm', 'sqlite', 'redis', 'mysql', 'postgresql'",
      }),
      default: '',
      description:
        'Store for sessions and one-time keys. When empty, the main\n' +
        'database backend is used. It must fit the main backend:\n' +
        '  main backend | allowed session stores\n' +
        '  anydbm       | anydbm, redis\n' +
        '  sqlite       | sqlite, anydbm, redis\n' +
        '  mysql        | mysql\n' +
        '  postgresql   | postgresql, redis',
    },
    {
      name: 'redis_url',
      type: redisUrlType,
      default: 'redis://localhost:6379/0?health_check_interval=2',
      description:
        'URL of the redis server. The default is database 0 of a redis\n' +
        'on this machine at the standard port, without authentication.\n',
    },
  ],
};

/** The `[logging]` section. */
export const LOGGING_SECTION: SectionSpec = {
  name: 'logging',
  options: [
    {
      name: 'config',
      type: filePathType,
      default: '',
      description:
        'File with a full logging configuration. When set, it is used\n' +
        "and the 'filename' and 'level' options below are ignored.",
    },
    {
      name: 'filename',
      type: filePathType,
      default: '',
      description:
        'File the built-in minimal logging writes to; standard error\n' +
        "when empty. Ignored when 'config' above is set.",
    },
    {
      name: 'level',
      type: choiceType(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'], {
        describe: 'Allowed values: DEBUG, INFO, WARNING, ERROR, CRITICAL',
      }),
      default: 'ERROR',
      description: "Lowest severity written to the log. Ignored when 'config'\nabove is set.",
    },
    {
      name: 'format',
      type: loggingFormatType,
      default: '%(asctime)s %(trace_id)s %(levelname)s %(message)s',
      description:
        "Layout of log lines, using Python log record placeholders such\n" +
        "as %%(asctime)s, written with every '%' doubled because of the\n" +
        'way this file is read. Roundup adds %%(trace_id)s,\n' +
        '%%(trace_reason)s and %%(pct_char)s.',
    },
    {
      name: 'disable_loggers',
      type: booleanType,
      default: 'no',
      description: 'Use only the loggers configured here and silence all others\n(such as a web server access log).\n',
    },
  ],
};

/** The `[mail]` section. */
export const MAIL_SECTION: SectionSpec = {
  name: 'mail',
  description: 'Outgoing mail: nosy messages, password resets and\nregistration confirmations.',
  options: [
    {
      name: 'domain',
      type: stringType,
      description:
        'Mail domain of admin_email, dispatcher_email and the tracker\n' +
        'email address; it is appended to those that have no domain.\n' +
        "Do not include the '@'.",
    },
    { name: 'host', type: stringType, aliases: ['MAILHOST'], description: 'SMTP server the tracker sends mail through.' },
    {
      name: 'username',
      type: stringType,
      default: '',
      description: 'User name for SMTP authentication, if the server wants it.\nWhen set, password (below) must be set too.',
    },
    {
      name: 'password',
      type: secretType(stringType),
      unsetAllowed: true,
      description: 'Password for SMTP authentication.',
    },
    { name: 'port', type: geqZero, default: '25', description: 'TCP port of the SMTP server.' },
    {
      name: 'local_hostname',
      type: nullableStringType,
      default: '',
      description:
        'Fully qualified host name the tracker announces to the SMTP\n' +
        'server. When empty it is worked out automatically; set it when\n' +
        'your server wants a particular name.\n',
    },
    { name: 'tls', type: booleanType, default: 'no', description: 'Use TLS (STARTTLS) with the SMTP server.' },
    {
      name: 'tls_keyfile',
      type: nullableFilePathType,
      default: '',
      description: 'With TLS, a PEM file holding your private key, if needed.',
    },
    {
      name: 'tls_certfile',
      type: nullableFilePathType,
      default: '',
      description: 'With TLS, a PEM file holding your certificate chain, if\nneeded.',
    },
    {
      name: 'charset',
      type: stringType,
      default: 'utf-8',
      aliases: ['EMAIL_CHARSET'],
      description:
        'Character set of mail headers. utf-8 suits most mail readers;\n' +
        'pick a narrower one (such as iso-8859-1) for readers that\ncannot cope with it.',
    },
    {
      name: 'debug',
      type: filePathType,
      default: '',
      description:
        'When set, outgoing mail is appended to this file instead of\n' +
        'being sent. The SENDMAILDEBUG environment variable does the\nsame and wins over this option.',
    },
    {
      name: 'add_authorinfo',
      type: booleanType,
      default: 'yes',
      description: 'Start every message the tracker sends with a line naming\nthe author.',
    },
    {
      name: 'add_authoremail',
      type: booleanType,
      default: 'yes',
      description:
        'Include the address of the author in that line. With\n' +
        "'no' only the name appears, which keeps addresses out of\nmail archives.",
    },
  ],
};

/** The `[mailgw]` section. */
export const MAILGW_SECTION: SectionSpec = {
  name: 'mailgw',
  description: 'Mail gateway (incoming mail).',
  options: [
    {
      name: 'keep_quoted_text',
      type: yesNoNew,
      default: 'yes',
      aliases: ['EMAIL_KEEP_QUOTED_TEXT'],
      description:
        'Keep quoted text of incoming messages. "no" strips quotes and\n' +
        'signatures; "new" keeps quotes only in a message that creates\na new issue.',
    },
    {
      name: 'leave_body_unchanged',
      type: yesNoNew,
      default: 'no',
      aliases: ['EMAIL_LEAVE_BODY_UNCHANGED'],
      description:
        'Keep the message body exactly as received, quotes and\n' +
        'signature included. "new" does so only for a message that\ncreates a new issue.',
    },
    {
      name: 'default_class',
      type: stringType,
      default: 'issue',
      aliases: ['MAIL_DEFAULT_CLASS'],
      description: 'Class of items created by mail whose subject names none.\nLeave it empty to require a class.',
    },
    {
      name: 'language',
      type: nullableStringType,
      default: '',
      description: "Locale of the mail gateway; the tracker's language when\nempty.",
    },
    {
      name: 'subject_prefix_parsing',
      type: choiceType(['strict', 'loose', 'none']),
      default: 'strict',
      description:
        'How the [prefix] of a subject is handled. "strict" bounces\n' +
        'mail whose prefix is not understood, "loose" keeps such a\n' +
        'prefix as part of the title, "none" never reads a prefix.',
    },
    {
      name: 'subject_suffix_parsing',
      type: choiceType(['strict', 'loose', 'none']),
      default: 'strict',
      description:
        'How the [suffix] of a subject is handled. "strict" bounces\n' +
        'mail whose suffix is not understood, "loose" keeps such a\n' +
        'suffix as part of the title, "none" never reads a suffix.',
    },
    {
      name: 'subject_suffix_delimiters',
      type: stringType,
      default: '[]',
      description: 'Opening and closing brackets around the prefix and suffix\nof a subject (the name says suffix for historical reasons).',
    },
    {
      name: 'subject_content_match',
      type: stringType,
      default: 'always',
      description:
        'Whether a subject without a designator [prefix] is matched\n' +
        'against issue titles: "always", "never", or "creation +\n' +
        'interval" / "activity + interval" to match only issues created\n' +
        'or active within that Roundup interval.',
    },
    {
      name: 'subject_updates_title',
      type: booleanType,
      default: 'yes',
      description: 'Let the subject of incoming mail change the title of the\nissue. With "no" the title part of the subject is ignored.\n',
    },
    {
      name: 'refwd_re',
      type: regExpType,
      default: '(\\s*\\W?\\s*(fw|fwd|re|aw|sv|ang)\\W)+',
      description: 'Matches one reply or forward prefix that mail programs add\nto subjects; such prefixes are removed.',
    },
    {
      name: 'origmsg_re',
      type: regExpType,
      default: '^[>|\\s]*-----\\s?Original Message\\s?-----$',
      description: 'Matches the line starting a quoted original message in a\nbody.',
    },
    {
      name: 'sign_re',
      type: regExpType,
      default: '^[>|\\s]*-- ?$',
      description: 'Matches the line starting a signature in a body.',
    },
    { name: 'eol_re', type: regExpType, default: '[\\r\\n]+', description: 'Matches a line end.' },
    { name: 'blankline_re', type: regExpType, default: '[\\r\\n]+\\s*[\\r\\n]+', description: 'Matches a blank line.' },
    {
      name: 'unpack_rfc822',
      type: booleanType,
      default: 'no',
      description: 'Attach the parts of forwarded messages (message/rfc822) as\nseparate files instead of one file.',
    },
    {
      name: 'ignore_alternatives',
      type: booleanType,
      default: 'no',
      description:
        'When the text/plain part used as the message sits in a\n' +
        'multipart/alternative, drop the other alternatives instead of\nattaching them.',
    },
    {
      name: 'convert_htmltotext',
      type: choiceType(['beautifulsoup', 'justhtml', 'dehtml', 'none']),
      default: 'none',
      description:
        'How mail with only text/html parts is turned into text:\n' +
        "beautifulsoup, justhtml, dehtml (built in), or 'none' to bounce\n" +
        'such mail. An unavailable converter falls back to dehtml.',
    },
    {
      name: 'keep_real_from',
      type: booleanType,
      default: 'no',
      aliases: ['EMAIL_KEEP_REAL_FROM'],
      description:
        'Ignore Resent-From: and take the sender from From:, e.g. when\n' +
        'a moderator reads mail first and bounces it to the tracker.',
    },
  ],
};

/** The `[pgp]` section. */
export const PGP_SECTION: SectionSpec = {
  name: 'pgp',
  description: 'OpenPGP for incoming and outgoing mail.',
  options: [
    {
      name: 'enable',
      type: booleanType,
      default: 'no',
      description:
        'Process PGP mail (needs gpg). If people will send encrypted\n' +
        'mail, enable encrypt below too, or their mail may be passed\non unencrypted.',
    },
    {
      name: 'roles',
      type: nullableStringType,
      default: '',
      description:
        'Comma separated roles whose users get PGP processing; all\n' +
        'users when empty. PGP mail received is processed whatever the\n' +
        'sender role, so a role nobody has makes PGP optional.',
    },
    { name: 'homedir', type: nullableStringType, default: '', description: 'GnuPG home directory; $HOME/.gnupg when empty.' },
    {
      name: 'encrypt',
      type: booleanType,
      default: 'no',
      description:
        'Encrypt all outgoing mail. Keys of all users (with one of the\n' +
        'roles above, or all users) must be available. See\nrequire_incoming to demand encrypted incoming mail.',
    },
    {
      name: 'require_incoming',
      type: choiceType(['signed', 'encrypted', 'both']),
      default: 'signed',
      description:
        "Incoming PGP mail must be 'signed', 'encrypted' or 'both'.\n" +
        'Refused encrypted mail is not sent back in clear; the sender\ngets a short notice instead.',
    },
  ],
};

/** The `[nosy]` section. */
export const NOSY_SECTION: SectionSpec = {
  name: 'nosy',
  description: 'Nosy messages.',
  options: [
    {
      name: 'messages_to_author',
      type: choiceType(['yes', 'no', 'new', 'nosy']),
      default: 'no',
      aliases: ['MESSAGES_TO_AUTHOR'],
      description:
        'Send nosy messages to the author of the change too: "yes"\n' +
        'always, "new" only for new issues, "nosy" when the author is\non the nosy list, "no" never.',
    },
    {
      name: 'signature_position',
      type: choiceType(['top', 'bottom', 'none']),
      default: 'bottom',
      aliases: ['EMAIL_SIGNATURE_POSITION'],
      description: 'Where the signature goes in nosy messages.',
    },
    {
      name: 'add_author',
      type: yesNoNew,
      default: 'new',
      aliases: ['ADD_AUTHOR_TO_NOSY'],
      description:
        'Add the author of a message to the nosy list: "yes" always,\n' +
        '"new" only when the message creates an issue, "no" never.\n',
    },
    {
      name: 'add_recipients',
      type: yesNoNew,
      default: 'new',
      aliases: ['ADD_RECIPIENTS_TO_NOSY'],
      description:
        'Add the recipients (To:, Cc:) of a message to the nosy list:\n' +
        '"yes" always, "new" only when the message creates an issue,\n"no" never.\n',
    },
    {
      name: 'email_sending',
      type: choiceType(['single', 'multiple']),
      default: 'single',
      description: '"single" sends one message with every recipient in Cc;\n"multiple" sends a separate message to each recipient.',
    },
    {
      name: 'max_attachment_size',
      type: geqZero,
      default: '9223372036854775807',
      description: 'Files larger than this many bytes are not attached to nosy\nmessages; a link to the file is given instead.',
    },
  ],
};

/** The `[markdown]` section. */
export const MARKDOWN_SECTION: SectionSpec = {
  name: 'markdown',
  description: 'Markdown rendering.',
  options: [
    {
      name: 'break_on_newline',
      type: booleanType,
      default: 'no',
      description: 'Render a single line break in markdown text as <br>, as\nGitHub Flavored Markdown does.',
    },
  ],
};
