// The REST API as the page uses it. Every error body is problem+json; its `detail` is
// what the resident reads. Every request asks for the current language, which the server
// writes its details, alerts and socket frames in.

import { currentLanguage, t } from './i18n.mjs';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? t('error.status', { status }));
    this.status = status;
    this.problem = problem;
  }
}

/** A request with the session cookie; resolves to the JSON body (null for 204). */
export async function api(path, { method = 'GET', body, idempotencyKey } = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': currentLanguage() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
  });
  const isJSON = (response.headers.get('Content-Type') ?? '').includes('json');
  const data = response.status === 204 || !isJSON ? null : await response.json();
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** GET /api/board for LiveConnection: the board, its ETag and the server's clock. */
export async function fetchBoard(etag) {
  const response = await fetch('/api/board', {
    credentials: 'same-origin', cache: 'no-store',
    headers: { 'Accept-Language': currentLanguage(), ...(etag ? { 'If-None-Match': etag } : {}) },
  });
  const date = Date.parse(response.headers.get('Date') ?? '');
  const result = { status: response.status, etag: response.headers.get('ETag'), serverNow: Number.isNaN(date) ? undefined : date };
  if (response.status === 200) result.board = await response.json();
  return result;
}

/**
 * The live socket's path: its frames in `language`, bursts in `batch` frames (live.mjs reads
 * them), following on from `since` (null: from now).
 */
export function socketPath(since, language = currentLanguage()) {
  return `/ws?${new URLSearchParams({ lang: language, batch: 1, ...(since === null ? {} : { since }) })}`;
}

const SAVED_LOCALE = 'washboard.locale';
/** What the page assumes of a dorm it has never reached: English, in the device's time zone. */
const UNKNOWN_LOCALE = { defaultLanguage: 'en', timeZone: undefined };

/** The dorm's languages and time zone as last fetched on this device. */
export function savedLocale(storage = localStorage) {
  try {
    return JSON.parse(storage.getItem(SAVED_LOCALE) ?? 'null') ?? UNKNOWN_LOCALE;
  } catch {
    return UNKNOWN_LOCALE;
  }
}

/**
 * GET /api/locale (no sign-in needed): `{defaultLanguage, languages, timeZone}`, kept for a
 * start offline; when the server cannot be reached, the one kept last.
 */
export async function fetchLocale({ storage = localStorage, request = api } = {}) {
  try {
    const locale = await request('/api/locale');
    storage.setItem(SAVED_LOCALE, JSON.stringify(locale));
    return locale;
  } catch {
    return savedLocale(storage);
  }
}

/** A queued action sent once: 'done', 'refused' (4xx, with its problem) or 'retry'. */
export async function sendAction(entry) {
  try {
    await api(entry.path, { method: entry.method, body: entry.body, idempotencyKey: entry.idempotencyKey });
    return { outcome: 'done' };
  } catch (error) {
    if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429) {
      return { outcome: 'refused', error };
    }
    return { outcome: 'retry', error };
  }
}
