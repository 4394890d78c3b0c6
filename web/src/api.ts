import type {
  SmsDocumentDto,
  SmsDocumentPageDto,
  SmsTransferDto,
  TrackingState,
  TransferProgressDto,
  TransferProgressPageDto,
} from '../../clients/typescript/src/schema';

export type { SmsDocumentDto, SmsDocumentPageDto, SmsTransferDto, TrackingState, TransferProgressDto, TransferProgressPageDto };
export type Summary = TransferProgressDto['summary'];
export const STATES: TrackingState[] = ['INIT', 'SENT', 'DONE'];

const KEY_STORAGE = 'trackingdb.apiKey';

/**
 * The API key, for this tab only: sessionStorage dies with the tab, and the key travels in the
 * Authorization header, never in a URL (where logs, history and Referer would keep it).
 */
export const apiKey = {
  get: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  set: (key: string): void => sessionStorage.setItem(KEY_STORAGE, key),
  forget: (): void => sessionStorage.removeItem(KEY_STORAGE),
};

/** The API answered 401: it needs a key, or refused the one sent (`refused`). */
export class KeyNeeded extends Error {
  constructor(readonly refused: boolean) {
    super(refused ? 'The API key was refused' : 'The API needs a key');
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
  ) {
    super(`The service answered ${status}`);
  }
}

export type Answer<T> = { changed: true; data: T; etag: string | null } | { changed: false };

/**
 * One API call. With the ETag of the last answer, a GET is conditional and `changed: false` means
 * the service answered 304. The page keeps ETags itself: `no-store` keeps the browser's cache out
 * of it, and `Cache-Control: max-age=0` stands in for the `no-cache` the browser would add, with
 * which a server must ignore If-None-Match.
 */
export async function call<T>(
  path: string,
  { method = 'GET', etag }: { method?: 'GET' | 'POST'; etag?: string | null } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Cache-Control': 'max-age=0' };
  const key = apiKey.get();
  if (key) headers.Authorization = `Bearer ${key}`;
  if (etag) headers['If-None-Match'] = etag;
  const response = await fetch(path, { method, headers, cache: 'no-store', credentials: 'same-origin' });
  if (response.status === 304) return { changed: false };
  if (response.status === 401) throw new KeyNeeded(key !== null);
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, (body as { detail?: unknown } | null)?.detail);
  return { changed: true, data: body as T, etag: response.headers.get('ETag') };
}

/** For calls that are never conditional. */
export async function fetchData<T>(path: string, method: 'GET' | 'POST' = 'GET'): Promise<T> {
  const answer = await call<T>(path, { method });
  if (!answer.changed) throw new ApiError(304, 'unexpected 304');
  return answer.data;
}

const transferPath = (ubid: string) => `tracking/sms_transfers/${encodeURIComponent(ubid)}`;
const documentsPath = (ubid: string) => `tracking/sms_documents/${encodeURIComponent(ubid)}/documents`;

export const paths = {
  progressList: (query: URLSearchParams) => `tracking/progress/transfers?${query}`,
  progress: (ubid: string) => `tracking/progress/transfers/${encodeURIComponent(ubid)}`,
  fallback: (ubid: string) => `${transferPath(ubid)}/fallback`,
  documents: (ubid: string, query: URLSearchParams) => `${documentsPath(ubid)}?${query}`,
  document: (ubid: string, uniqueId: string) => `${documentsPath(ubid)}/${encodeURIComponent(uniqueId)}`,
};
