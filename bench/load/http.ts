import { Agent, IncomingHttpHeaders, request } from 'node:http';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** From the first byte sent to the last byte received. */
  ms: number;
}

/** A keep-alive HTTP client for the benchmarks: answers of any status, timed, their bodies read and dropped. */
export class BenchClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string>,
    /** At most this many connections at once (one request in flight on each). */
    maxSockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  send(method: string, path: string, body?: Buffer): Promise<Answer> {
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const headers = { ...this.headers, 'content-type': 'application/json', ...(body && { 'content-length': String(body.length) }) };
      const req = request(`${this.baseUrl}${path}`, { method, agent: this.agent, headers }, (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, ms: Number(process.hrtime.bigint() - started) / 1e6 }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
