/**
 * The gateway's HTTP API as the pages use it: JSON in and out, the CSRF token on every
 * state-changing request, and `{error: {code, message}}` turned into an ApiError.
 */
import { signal } from './signal.js';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The whole `error` object, for answers that carry more (an import's bad `rows`). */
    readonly detail: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** The session's CSRF token (null when the gateway runs without logins). */
export const csrfToken = signal<string | null>(null);
/** Raised when the gateway answers 401: the session ended and the login form must show. */
export const sessionExpired = signal(false);

export const API = '/api/v1';

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  raw?: { type: string; data: Blob },
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (raw) headers['content-type'] = raw.type;
  else if (body !== undefined) headers['content-type'] = 'application/json';
  const token = csrfToken.get();
  if (method !== 'GET' && token !== null) headers['x-csrf-token'] = token;
  const response = await fetch(`${API}${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(raw ? { body: raw.data } : body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 204) return undefined as T;
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = errorOf(payload);
    if (response.status === 401 && !path.startsWith('/auth/')) sessionExpired.set(true);
    throw new ApiError(response.status, error.code, error.message || `HTTP ${response.status}`, error.detail);
  }
  return payload as T;
}

function errorOf(payload: unknown): { code: string; message: string; detail: Record<string, unknown> } {
  if (typeof payload === 'object' && payload !== null && 'error' in payload) {
    const error = (payload as { error: unknown }).error;
    if (typeof error === 'object' && error !== null) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      return {
        code: typeof code === 'string' ? code : 'ERROR',
        message: typeof message === 'string' ? message : '',
        detail: error as Record<string, unknown>,
      };
    }
  }
  return { code: 'ERROR', message: '', detail: {} };
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown) => request<T>('POST', path, body),
  /** POST a file as the raw body (e.g. a CSV import). */
  upload: <T>(path: string, file: Blob, type: string) => request<T>('POST', path, undefined, { type, data: file }),
};

/** A query string from the defined entries. */
export function query(params: Readonly<Record<string, string | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, value);
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
