import { AddressInfo, createServer } from 'node:net';

/** A URL on a port of 127.0.0.1 that was free a moment ago: nothing listens there, so connecting is refused at once. */
export async function unreachableUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}
