/**
 * The configuration the mail gateway works from, read once per message
 * from the tracker's config.ini (`[mailgw]`, `[main]`, `[tracker]`,
 * `[mail]`) and the roundup-mailgw options.
 */

import { RupError } from '../../errors.js';
import type { TrackerConfig } from '../../tracker/config.js';
import { type ContentSettings, contentSettingsFrom } from '../../util/message-content.js';
import type { ExtractionSettings } from './content-extraction.js';

/** How strictly a subject prefix or suffix is read (`[mailgw] subject_prefix_parsing` / `subject_suffix_parsing`). */
export type ParsingMode = 'strict' | 'loose' | 'none';

/** What handling a message depends on. */
export interface GatewaySettings {
  prefixMode: ParsingMode;
  suffixMode: ParsingMode;
  /** `[mailgw] subject_suffix_delimiters`. */
  delimiters: string;
  /** `[mailgw] refwd_re`. */
  refwd: RegExp;
  /** `[mailgw] subject_content_match`: `always`, `never`, `creation + <interval>`, `activity + <interval>`. */
  contentMatch: string;
  /** `[mailgw] subject_updates_title`. */
  updatesTitle: boolean;
  /** `-c`, else `[mailgw] default_class`; empty for none. */
  defaultClass: string;
  /** `[mailgw] keep_real_from`: ignore Resent-From. */
  keepRealFrom: boolean;
  extraction: ExtractionSettings;
  content: ContentSettings;
  /** `[tracker] email`, lower case: never a recipient. */
  trackerEmail: string;
  /** `[tracker] web`, for the registration hint. */
  trackerWeb: string;
  /** `[main] admin_email`. */
  adminEmail: string;
  /** `[mail] domain`, for generated message ids. */
  mailDomain: string;
  /** `[main] new_email_user_roles`. */
  newEmailUserRoles: string;
  /** `[main] email_registration_confirmation`. */
  registrationConfirmation: boolean;
  /** `-S` options. */
  setValues: readonly string[];
}

/** Options of roundup-mailgw that shape handling. */
export interface GatewaySettingOptions {
  /** `-c/--default-class`. */
  defaultClass?: string;
  /** `-S/--set-value`, in order. */
  setValues?: readonly string[];
}

function mode(config: TrackerConfig, key: string): ParsingMode {
  const value = String(config.getByKey(key) ?? 'strict');
  if (value === 'strict' || value === 'loose' || value === 'none') return value;
  throw new RupError('RUP_ERR_CONFIG', `${config.file}: ${key}: "${value}" is not one of strict, loose, none`);
}

/** Reads the gateway's settings from a tracker configuration and the command line options. */
export function gatewaySettings(config: TrackerConfig, options: GatewaySettingOptions = {}): GatewaySettings {
  const get = (key: string) => config.getByKey(key);
  // Addresses and the web address only shape texts: an unset one is left empty rather than failing every message.
  const text = (key: string): string => {
    try {
      return String(config.getByKey(key) ?? '');
    } catch {
      return '';
    }
  };
  return {
    prefixMode: mode(config, 'MAILGW_SUBJECT_PREFIX_PARSING'),
    suffixMode: mode(config, 'MAILGW_SUBJECT_SUFFIX_PARSING'),
    delimiters: String(get('MAILGW_SUBJECT_SUFFIX_DELIMITERS') ?? '[]'),
    refwd: get('MAILGW_REFWD_RE') as RegExp,
    contentMatch: String(get('MAILGW_SUBJECT_CONTENT_MATCH') ?? 'always').trim(),
    updatesTitle: Boolean(get('MAILGW_SUBJECT_UPDATES_TITLE')),
    defaultClass: (options.defaultClass ?? String(get('MAILGW_DEFAULT_CLASS') ?? '')).trim(),
    keepRealFrom: Boolean(get('MAILGW_KEEP_REAL_FROM')),
    extraction: {
      ignoreAlternatives: Boolean(get('MAILGW_IGNORE_ALTERNATIVES')),
      unpackRfc822: Boolean(get('MAILGW_UNPACK_RFC822')),
      convertHtmlToText: String(get('MAILGW_CONVERT_HTMLTOTEXT') ?? 'none'),
    },
    content: contentSettingsFrom(config as unknown as Record<string, unknown>),
    trackerEmail: text('TRACKER_EMAIL').trim().toLowerCase(),
    trackerWeb: text('TRACKER_WEB'),
    adminEmail: text('ADMIN_EMAIL'),
    mailDomain: text('MAIL_DOMAIN'),
    newEmailUserRoles: String(get('NEW_EMAIL_USER_ROLES') ?? 'User'),
    registrationConfirmation: Boolean(get('EMAIL_REGISTRATION_CONFIRMATION')),
    setValues: options.setValues ?? [],
  };
}
