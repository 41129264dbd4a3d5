/**
 * The OAuth token directory of the `imaps_oauth` source, as Roundup
 * keeps it: one file each for `access_token`, `refresh_token`,
 * `client_id` and `client_secret` (the value on the file's first line).
 * The access token is tried first; when the server refuses it, a new one
 * is asked for at the token endpoint with the refresh token (the OAuth 2
 * refresh grant, RFC 6749 section 6) and written back, and so is a new
 * refresh token when the endpoint issues one. Both token files must
 * therefore be writable. Token values never appear in messages.
 */

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RupError } from '../../errors.js';

/** Microsoft's endpoint, Roundup's default for `-T/--oauth-token-endpoint`. */
export const DEFAULT_TOKEN_ENDPOINT = 'https://login.microsoftonline.com/organizations/oauth2/v2.0/token';

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  clientId: string;
  clientSecret: string;
}

function readToken(dir: string, name: string): string {
  const file = join(dir, name);
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/)[0]!.trim();
  } catch (err) {
    throw new RupError('RUP_ERR_MAIL_SOURCE', `cannot read the OAuth file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Reads the four files of the token directory; RUP_ERR_MAIL_SOURCE when one cannot be read. */
export function readOAuthTokens(dir: string): OAuthTokens {
  return {
    accessToken: readToken(dir, 'access_token'),
    refreshToken: readToken(dir, 'refresh_token'),
    clientId: readToken(dir, 'client_id'),
    clientSecret: readToken(dir, 'client_secret'),
  };
}

function writeToken(dir: string, name: string, value: string): void {
  const file = join(dir, name);
  const temp = `${file}.new`;
  try {
    writeFileSync(temp, `${value}\n`, { mode: 0o600 });
    renameSync(temp, file);
  } catch (err) {
    throw new RupError('RUP_ERR_MAIL_SOURCE', `cannot write the OAuth file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Asks `endpoint` for a new access token with the refresh token, writes
 * the new token(s) into `dir` and returns them. RUP_ERR_MAIL_SOURCE when
 * the endpoint cannot be reached or refuses.
 */
export async function refreshOAuthTokens(dir: string, tokens: OAuthTokens, endpoint: string): Promise<OAuthTokens> {
  const body = new URLSearchParams({
    client_id: tokens.clientId,
    client_secret: tokens.clientSecret,
    refresh_token: tokens.refreshToken,
    grant_type: 'refresh_token',
  });
  let response: Response;
  try {
    response = await fetch(endpoint, { method: 'POST', body, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    throw new RupError('RUP_ERR_MAIL_SOURCE', `cannot reach the OAuth token endpoint ${endpoint}: ${(err as Error).message}`, { cause: err });
  }
  const text = await response.text();
  let answer: Record<string, unknown> = {};
  try {
    answer = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON: reported below by the status or the missing token.
  }
  if (!response.ok || typeof answer.access_token !== 'string' || !answer.access_token) {
    const why = typeof answer.error === 'string' ? `${answer.error}${typeof answer.error_description === 'string' ? `: ${answer.error_description}` : ''}` : `HTTP ${response.status}`;
    throw new RupError('RUP_ERR_MAIL_SOURCE', `the OAuth token endpoint ${endpoint} gave no new access token (${why})`);
  }
  const renewed = { ...tokens, accessToken: answer.access_token };
  writeToken(dir, 'access_token', renewed.accessToken);
  if (typeof answer.refresh_token === 'string' && answer.refresh_token) {
    renewed.refreshToken = answer.refresh_token;
    writeToken(dir, 'refresh_token', renewed.refreshToken);
  }
  return renewed;
}
