import {
  createTrackingClient,
  DocumentInput,
  ExportFormat,
  MessageSubmissions,
  NewTransfer,
  SubmissionsResult,
  TrackingClient,
  TrackingState,
} from '@tracking-db/client';

/** A failure worth trying again: the service or the network may be back in a moment. */
export class TransientError extends Error {
  constructor(
    message: string,
    /** How long the service asked us to wait (its Retry-After), when it said so. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The service refused the request (4xx): sending it again would be refused again. */
export class RequestRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
  ) {
    super(`the service answered ${status}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
  }
}

/** A request that has had no answer for this long is given up and tried again. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/**
 * The loader's calls to the service's API (create a transfer, upload documents, submit their
 * gateway message ids, export them),
 * through the generated TypeScript client (clients/typescript),
 * with every request given up after `timeoutMs` (an export: its first byte), and failures sorted into worth retrying
 * (no connection, no answer in time, 5xx, 429, with the service's Retry-After) and refused (4xx).
 */
export class LoaderApiClient {
  private readonly api: TrackingClient;

  /** `baseUrl` may carry a path (a service behind a proxy at https://host/tracking-db/). */
  constructor(
    private readonly baseUrl: string,
    apiKey?: string,
    private readonly timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {
    this.api = createTrackingClient(baseUrl, { apiKey, fetch: (request) => fetch(request, { signal: AbortSignal.timeout(timeoutMs) }) });
  }

  async createTransfer(transfer: NewTransfer): Promise<void> {
    await this.call(() => this.api.POST('/tracking/sms_transfers', { body: transfer }));
  }

  async upsertDocuments(ubid: string, documents: DocumentInput[]): Promise<number> {
    const answer = await this.call(() => this.api.POST('/tracking/sms_documents', { body: { UBID: ubid, documents } }));
    return answer.count;
  }

  /** Gives documents of a transfer their message ids at a gateway (and moves them to SENT). */
  async submitMessages(ubid: string, submissions: MessageSubmissions): Promise<SubmissionsResult> {
    return this.call(() => this.api.POST('/tracking/sms_documents/{ubid}/submissions', { params: { path: { ubid } }, body: submissions }));
  }

  /** The export's body as it arrives; the wait for the answer is bounded, the transfer of the body is not. */
  async exportDocuments(ubid: string, query: { format: ExportFormat; state?: TrackingState }): Promise<ReadableStream<Uint8Array>> {
    const body = await this.call(() =>
      this.api.GET('/tracking/sms_documents/{ubid}/export', {
        params: { path: { ubid }, query },
        parseAs: 'stream',
        fetch: (request) => untilAnswered(request, this.timeoutMs),
      }),
    );
    return body as ReadableStream<Uint8Array>;
  }

  private async call<T>(send: () => Promise<{ data?: T; error?: { detail?: unknown }; response: Response }>): Promise<T> {
    let answer: Awaited<ReturnType<typeof send>>;
    try {
      answer = await send();
    } catch (error) {
      if ((error as Error).name === 'TimeoutError')
        throw new TransientError(`no answer from ${this.baseUrl} within ${this.timeoutMs / 1000} s`);
      throw new TransientError(`cannot reach ${this.baseUrl}: ${causeOf(error)}`);
    }
    const { data, error, response } = answer;
    if (response.status >= 500 || response.status === 429) {
      const detail = error?.detail;
      throw new TransientError(
        `the service answered ${response.status}${typeof detail === 'string' ? `: ${detail}` : ''}`,
        retryAfterMs(response.headers.get('retry-after')),
      );
    }
    if (!response.ok) throw new RequestRefusedError(response.status, error?.detail ?? response.statusText);
    return data as T;
  }
}

/** fetch() given up when no answer has begun within `timeoutMs`; once it has, its body may take as long as it takes. */
async function untilAnswered(request: Request, timeoutMs: number): Promise<Response> {
  const answered = new AbortController();
  // The name AbortSignal.timeout() gives its own reason, which call() recognises and words.
  const timer = setTimeout(() => answered.abort(new DOMException(undefined, 'TimeoutError')), timeoutMs);
  try {
    return await fetch(request, { signal: answered.signal });
  } finally {
    clearTimeout(timer);
  }
}

/** Retry-After as seconds or as an HTTP date (RFC 9110, always in GMT); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = value.endsWith(' GMT') ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** fetch() says only "fetch failed"; the reason (ECONNREFUSED, …) is in its cause. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
