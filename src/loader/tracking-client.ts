import { NewSmsDocument } from '../sms-document/domain/sms-document';

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

export interface NewTransfer {
  UBID: string;
  SMScount: number;
  documents: number;
  fileName: string;
  origName: string;
}

/** A request that has had no answer for this long is given up and tried again. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** The two calls the loader makes, over fetch, with errors sorted into transient and refused. */
export class TrackingClient {
  private readonly baseUrl: string;

  /** `baseUrl` may carry a path (a service behind a proxy at https://host/tracking-db/). */
  constructor(
    baseUrl: string,
    private readonly apiKey?: string,
    private readonly timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {
    this.baseUrl = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  }

  async createTransfer(transfer: NewTransfer): Promise<void> {
    await this.post('tracking/sms_transfers', JSON.stringify(transfer));
  }

  async upsertDocuments(ubid: string, documents: NewSmsDocument[]): Promise<number> {
    const answer = (await this.post('tracking/sms_documents', JSON.stringify({ UBID: ubid, documents }))) as { count: number };
    return answer.count;
  }

  private async post(path: string, body: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {}) },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') throw new TransientError(`no answer from ${this.baseUrl} within ${this.timeoutMs / 1000} s`);
      throw new TransientError(`cannot reach ${this.baseUrl}: ${causeOf(error)}`);
    }
    const answer: unknown = await response.json().catch(() => undefined);
    if (response.status >= 500 || response.status === 429) {
      const detail = (answer as { detail?: unknown } | undefined)?.detail;
      throw new TransientError(
        `the service answered ${response.status}${typeof detail === 'string' ? `: ${detail}` : ''}`,
        retryAfterMs(response.headers.get('retry-after')),
      );
    }
    if (!response.ok) {
      throw new RequestRefusedError(response.status, (answer as { detail?: unknown } | undefined)?.detail ?? response.statusText);
    }
    return answer;
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
