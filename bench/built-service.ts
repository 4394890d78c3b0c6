import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

import { ServiceProcess, startService } from '../tools/service-process';

/**
 * The built service (`node dist/main.js`) as production runs it, in a child process on 127.0.0.1
 * on a free port (started as the process tests start it), with a keep-alive client for the
 * benchmarks.
 */
export class BuiltService {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });

  private constructor(
    private readonly service: ServiceProcess,
    /** Sent with every request of `send()`: the API key, when the service runs with one. */
    readonly headers: Record<string, string>,
  ) {}

  get baseUrl(): string {
    return this.service.baseUrl;
  }

  /** Starts it with `env` on top of this process's environment, and waits until it is ready. */
  static async start(env: Record<string, string>, headers: Record<string, string> = {}): Promise<BuiltService> {
    return new BuiltService(await startService(env), headers);
  }

  /** The same, with API keys required (as a service on a network runs) and a fresh key sent with every request of `send()`. */
  static startWithApiKey(env: Record<string, string>): Promise<BuiltService> {
    const apiKey = randomBytes(16).toString('hex');
    return BuiltService.start({ ...env, API_KEYS: apiKey }, { authorization: `Bearer ${apiKey}` });
  }

  /** One request; resolves with the body of a 2xx answer, rejects on anything else. */
  send(method: string, path: string, body?: string | Buffer): Promise<string> {
    return new Promise((resolve, reject) => {
      const headers = { ...this.headers, 'content-type': 'application/json' };
      const req = request(`${this.service.baseUrl}${path}`, { method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode! < 300) resolve(text);
          else reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** The most resident memory the service has used so far, in MB (VmHWM, from /proc). */
  peakRssMb(): number {
    return this.memoryMb('VmHWM');
  }

  /** The service's resident memory now, in MB (VmRSS, from /proc). */
  rssMb(): number {
    return this.memoryMb('VmRSS');
  }

  /** Everything it has logged so far (JSON lines), to show a failure's cause. */
  output(): string {
    return this.service.output();
  }

  /** Its process id, to send it a signal. */
  get pid(): number {
    return this.service.child.pid!;
  }

  private memoryMb(field: 'VmHWM' | 'VmRSS'): number {
    const status = readFileSync(`/proc/${this.service.child.pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]) / 1024;
  }

  /** Ends it with SIGTERM (a graceful shutdown) and waits for the end. */
  async stop(): Promise<void> {
    this.agent.destroy();
    await this.service.stop();
  }
}
