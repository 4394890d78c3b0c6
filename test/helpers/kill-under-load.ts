import { ServiceProcess } from '../../tools/service-process';

/** One request of a client: `sent` until the client has its answer, or the connection has died under it. */
export interface LoadRequest<T> {
  item: T;
  outcome: 'sent' | 'acknowledged' | 'unanswered';
}

export interface LoadUntilKill<T> {
  clients: number;
  /** kill -9 once this many answers have arrived, with the other clients' requests in flight. */
  acknowledgedBeforeKill: number;
  /** What client `client` sends next; undefined when it has nothing left. */
  next(client: number): T | undefined;
  /** Sends one item and reads its whole answer (a status, a body). */
  send(item: T): Promise<unknown>;
  /** The answer every request gets, before the kill or after it. */
  answer: unknown;
}

export interface KilledUnderLoad<T> {
  /** Every request sent, in the order they were sent. */
  requests: LoadRequest<T>[];
  /** Those still waiting for their answer when the kill went out. */
  inFlightAtKill: LoadRequest<T>[];
}

/** Marks a request whose connection died under it. */
const UNANSWERED = Symbol('unanswered');

/** The service's JSON POST, as a client sends it. */
export function postJson(service: ServiceProcess, path: string, body: unknown): Promise<Response> {
  return fetch(`${service.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/**
 * Runs `clients` clients against the real service, each sending one request after another, and
 * kills the service with SIGKILL the moment `acknowledgedBeforeKill` answers have arrived. No
 * client starts a request once the kill is decided. A connection that dies under a request after
 * the kill leaves it `unanswered`; before the kill, it fails the test. When a client fails, the
 * others stop too, and the process does not outlive the test.
 */
export async function killUnderLoad<T>(service: ServiceProcess, load: LoadUntilKill<T>): Promise<KilledUnderLoad<T>> {
  const requests: LoadRequest<T>[] = [];
  let inFlightAtKill: LoadRequest<T>[] = [];
  let killed = false;
  const acknowledged = () => requests.filter(({ outcome }) => outcome === 'acknowledged').length;
  /** The answer, or UNANSWERED when the connection died under the request, which only the kill may do. */
  const answerTo = async (item: T): Promise<unknown> => {
    try {
      return await load.send(item);
    } catch (error) {
      if (killed) return UNANSWERED;
      throw error;
    }
  };
  const client = async (index: number) => {
    while (!killed) {
      const item = load.next(index);
      if (item === undefined) return;
      const request: LoadRequest<T> = { item, outcome: 'sent' };
      requests.push(request);
      const answer = await answerTo(item);
      if (answer === UNANSWERED) {
        request.outcome = 'unanswered';
        return;
      }
      expect(answer).toEqual(load.answer);
      request.outcome = 'acknowledged';
      if (!killed && acknowledged() === load.acknowledgedBeforeKill) {
        killed = true;
        inFlightAtKill = requests.filter(({ outcome }) => outcome === 'sent');
        service.child.kill('SIGKILL');
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: load.clients }, (_, index) => client(index)));
  } finally {
    killed = true;
    await service.stop('SIGKILL');
  }
  return { requests, inFlightAtKill };
}
