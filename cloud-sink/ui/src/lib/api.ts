/**
 * The HQ API as the pages use it: JSON, `Authorization: Bearer <token>` (cloud-sink/auth.ts:
 * no cookie, so no CSRF), `{error: {code, message}}` turned into an ApiError. The token
 * lives in sessionStorage: it survives a reload of the tab, not the closing of the browser.
 */
import { signal } from './signal.js';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const API = '/api/v1';
const TOKEN_KEY = 'hq.token';

function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** The sign-in token; null when signed out. A 401 clears it (the sign-in form shows). */
export const token = signal<string | null>(storedToken());
token.subscribe((value) => {
  try {
    if (value === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, value);
  } catch {
    // Private mode: the token lasts for this page only.
  }
});

async function request(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { accept };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const current = token.get();
  if (current !== null) headers.authorization = `Bearer ${current}`;
  const response = await fetch(`${API}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) {
    const payload: unknown = await response.json().catch(() => null);
    const error = errorOf(payload);
    if (response.status === 401 && path !== '/auth/login' && path !== '/auth/password') token.set(null);
    throw new ApiError(response.status, error.code, error.message || `HTTP ${response.status}`);
  }
  return response;
}

function errorOf(payload: unknown): { code: string; message: string } {
  if (typeof payload === 'object' && payload !== null && 'error' in payload) {
    const error = (payload as { error: unknown }).error;
    if (typeof error === 'object' && error !== null) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      return { code: typeof code === 'string' ? code : 'ERROR', message: typeof message === 'string' ? message : '' };
    }
  }
  return { code: 'ERROR', message: '' };
}

export const api = {
  async get<T>(path: string): Promise<T> {
    return (await (await request('GET', path)).json()) as T;
  },
  async post<T>(path: string, body: unknown): Promise<T> {
    const response = await request('POST', path, body);
    return (response.status === 204 ? undefined : await response.json()) as T;
  },
  /** A file behind the sign-in (a link cannot carry the token): fetched, then saved through a blob URL. */
  async download(path: string, filename: string): Promise<void> {
    const blob = await (await request('GET', path, undefined, 'text/csv')).blob();
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  },
};

/** A query string from the defined entries. */
export function query(params: Readonly<Record<string, string | number | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
