import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { AddressInfo, createServer } from 'node:net';

/**
 * The built service (`node dist/main.js`) as production runs it, in a child process on 127.0.0.1
 * on a free port, for the benchmarks. Its log lines are dropped (they go to stdout), its stderr
 * (a crash) shows.
 */
export class BuiltService {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });

  private constructor(
    readonly process: ChildProcess,
    readonly port: number,
    /** Sent with every request of `send()`: the API key, when the service runs with one. */
    readonly headers: Record<string, string>,
  ) {}

  /** Starts it with `env` on top of this process's environment, and waits until it is ready. */
  static async start(env: Record<string, string>, headers: Record<string, string> = {}): Promise<BuiltService> {
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/main.js'], {
      env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const service = new BuiltService(child, port, headers);
    await service.ready();
    return service;
  }

  /** Polls the readiness probe, which needs no API key and answers once the database does. */
  private async ready(): Promise<void> {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      if (this.process.exitCode !== null) throw new Error(`the service exited with code ${this.process.exitCode} before it was ready`);
      try {
        await this.send('GET', '/health/ready');
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error('the service was not ready within 30 s');
  }

  /** One request; resolves with the body of a 2xx answer, rejects on anything else. */
  send(method: string, path: string, body?: string | Buffer): Promise<string> {
    return new Promise((resolve, reject) => {
      const headers = { ...this.headers, 'content-type': 'application/json' };
      const req = request({ host: '127.0.0.1', port: this.port, method, path, agent: this.agent, headers }, (res) => {
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
    const status = readFileSync(`/proc/${this.process.pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
  }

  /** Ends it with SIGTERM (a graceful shutdown) and waits for the end. */
  async stop(): Promise<void> {
    this.agent.destroy();
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = once(this.process, 'exit');
    this.process.kill('SIGTERM');
    await exited;
  }
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}
