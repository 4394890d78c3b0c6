import { connect, Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent, interim answers ("100 Continue") included. */
  raw: string;
}

export interface RawRequestOptions {
  method?: string;
  path?: string;
  /** Sent after the Host header and `Content-Type: application/json`. */
  headers?: Record<string, string | number>;
  /** What of the body is written at once; the test writes the rest, or not, on `socket`. */
  body?: Buffer | string;
  /** The client's own address (127.0.0.2, …): another client, as the service sees it. */
  localAddress?: string;
}

/**
 * A request over a raw socket, so that a test can send the headers and only part of the body,
 * or wait for "100 Continue". The answer resolves when the server has sent a whole final answer.
 */
export function rawRequest(
  port: number,
  { method = 'POST', path = '/tracking/sms_documents', headers = {}, body = '', localAddress }: RawRequestOptions,
): { socket: Socket; answer: Promise<RawAnswer> } {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  const head = [
    `${method} ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.write(`${head.join('\r\n')}\r\n\r\n`);
  if (body.length > 0) socket.write(body);
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    let raw = '';
    const parse = (): RawAnswer | undefined => {
      const final = raw.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
      const end = final.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const [statusLine, ...lines] = final.slice(0, end).split('\r\n');
      const parsedHeaders = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      const text = final.slice(end + 4);
      if (text.length < Number(parsedHeaders['content-length'] ?? 0)) return undefined;
      return { status: Number(statusLine.split(' ')[1]), headers: parsedHeaders, body: text, raw };
    };
    socket.on('data', (chunk) => {
      raw += chunk.toString();
      const parsed = parse();
      if (parsed) resolve(parsed);
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`the connection closed before a whole answer: ${JSON.stringify(raw)}`)));
  });
  return { socket, answer };
}

/** Writes `body` in the chunked transfer coding, in pieces of `size` bytes, without the last chunk. */
export function writeChunked(socket: Socket, body: Buffer, size = 64 * 1024): void {
  for (let start = 0; start < body.length; start += size) {
    const chunk = body.subarray(start, start + size);
    socket.write(`${chunk.length.toString(16)}\r\n`);
    socket.write(chunk);
    socket.write('\r\n');
  }
}
