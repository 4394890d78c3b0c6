// Run by bench/progress-page-benchmark.ts in a process of its own, so that the service's process
// measures only the service: `pages` simulated progress pages on one transfer, each polling
// (conditional GETs every `intervalMs`, as the page does) or holding a server-sent-events stream,
// and a probe that times one API route every 100 ms. Prints one JSON line of results on stdout.
const { Agent, request } = require('node:http');

const [baseUrl, mode, pages, intervalMs, durationMs, ubid, probePath, ssePort] = process.argv.slice(2);
const pageAgent = new Agent({ keepAlive: true, maxSockets: Number(pages) });
const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
const statuses = {};
let events = 0;
const probes = [];
const until = Date.now() + Number(durationMs);

function get(url, agent, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, etag: res.headers.etag, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function pollingPage(index) {
  await sleep((index * Number(intervalMs)) / Number(pages));
  let etag;
  while (Date.now() < until) {
    const answer = await get(`${baseUrl}/tracking/progress/transfers/${ubid}`, pageAgent, etag ? { 'if-none-match': etag } : {});
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    if (answer.status === 200) etag = answer.etag;
    await sleep(Number(intervalMs));
  }
}

function streamingPage() {
  return new Promise((resolve) => {
    const req = request(`http://127.0.0.1:${ssePort}/events/${ubid}`, { agent: false }, (res) => {
      res.on('data', (chunk) => (events += chunk.toString().split('\n\n').length - 1));
      res.on('end', resolve);
      res.on('error', resolve);
    });
    setTimeout(() => req.destroy(), until - Date.now());
    req.on('error', resolve);
    req.on('close', resolve);
    req.end();
  });
}

async function probe() {
  while (Date.now() < until) {
    const started = process.hrtime.bigint();
    await get(`${baseUrl}${probePath}`, probeAgent);
    probes.push(Number(process.hrtime.bigint() - started) / 1e6);
    await sleep(100);
  }
}

async function main() {
  const clients = Array.from({ length: mode === 'none' ? 0 : Number(pages) }, (_, index) =>
    mode === 'sse' ? streamingPage() : pollingPage(index),
  );
  await Promise.all([...clients, probe()]);
  process.stdout.write(`${JSON.stringify({ statuses, events, probes })}\n`);
  pageAgent.destroy();
  probeAgent.destroy();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
