import { ApiError, apiKey, KeyNeeded, STATES, TrackingState } from './api';
import { describeDetail } from './format';
import { keyPrompt } from './key-prompt';
import { TransferView } from './transfer-view';
import { TransfersRoute, TransfersView } from './transfers-view';
import { View, ViewContext } from './view';

/** How often an open page asks for changes; each ask is a conditional request, mostly answered 304. */
const POLL_MS = 2000;

type Route = ({ name: 'transfers' } & TransfersRoute) | { name: 'transfer'; ubid: string };

/** `#/?state=SENT&offset=10` is a page of the list, `#/transfers/<ubid>` one transfer. */
function parseRoute(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#/, '').split('?');
  const transfer = /^\/transfers\/([^/]+)$/.exec(path);
  if (transfer) return { name: 'transfer', ubid: decodeURIComponent(transfer[1]) };
  const query = new URLSearchParams(search);
  const state = query.get('state') as TrackingState | null;
  const offset = Number.parseInt(query.get('offset') ?? '0', 10);
  return {
    name: 'transfers',
    state: state && STATES.includes(state) ? state : undefined,
    offset: Number.isFinite(offset) && offset > 0 ? offset : 0,
  };
}

/**
 * Shows the view of the address's hash and refreshes it every POLL_MS while the tab is visible.
 * A 401 anywhere replaces the view with the key prompt; other failures are announced, and the
 * page keeps trying.
 */
class App implements ViewContext {
  private view: View | null = null;
  /** Bumped whenever the view changes, so that answers for an old view are dropped. */
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The view whose refresh is in flight: the visibility event must not start a second one. */
  private refreshing: View | null = null;

  constructor(
    private readonly main: HTMLElement,
    private readonly connection: HTMLElement,
    private readonly forgetKey: HTMLButtonElement,
  ) {}

  start(): void {
    window.addEventListener('hashchange', () => void this.open(true));
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) void this.refresh(this.generation);
    });
    this.forgetKey.addEventListener('click', () => {
      apiKey.forget();
      void this.open(true);
    });
    void this.open(false);
  }

  fail(error: unknown): void {
    if (error instanceof KeyNeeded) {
      this.askForKey(error.refused);
      return;
    }
    this.connection.textContent =
      error instanceof ApiError
        ? `The service answered ${error.status}: ${describeDetail(error.detail)}`
        : 'The service cannot be reached. Trying again…';
  }

  private async open(moveFocus: boolean): Promise<void> {
    const generation = this.stop();
    const route = parseRoute(location.hash);
    const view = route.name === 'transfer' ? new TransferView(route.ubid, this) : new TransfersView(route);
    this.view = view;
    const focusedId = this.main.contains(document.activeElement) ? document.activeElement?.id : undefined;
    this.main.replaceChildren(view.element);
    await this.refresh(generation);
    if (!moveFocus || generation !== this.generation) return;
    const again = focusedId ? document.getElementById(focusedId) : null;
    (again && !(again as HTMLButtonElement).disabled ? again : view.heading).focus();
  }

  /** Ends the current view's refreshes; answers the new generation. */
  private stop(): number {
    clearTimeout(this.timer);
    this.view = null;
    return ++this.generation;
  }

  private async refresh(generation: number): Promise<void> {
    const view = this.view;
    if (!view || generation !== this.generation || this.refreshing === view) return;
    clearTimeout(this.timer);
    this.refreshing = view;
    try {
      await view.refresh();
      if (generation === this.generation) this.connection.textContent = '';
    } catch (error) {
      if (generation === this.generation) this.fail(error);
    } finally {
      if (this.refreshing === view) this.refreshing = null;
    }
    this.forgetKey.hidden = apiKey.get() === null;
    if (generation === this.generation && !document.hidden) this.timer = setTimeout(() => void this.refresh(generation), POLL_MS);
  }

  private askForKey(refused: boolean): void {
    this.stop();
    if (refused) apiKey.forget();
    this.forgetKey.hidden = true;
    this.connection.textContent = '';
    this.main.replaceChildren(keyPrompt(refused, () => void this.open(true)));
    document.title = 'API key needed · TrackingDb';
    document.getElementById('api-key')?.focus();
  }
}

new App(
  document.getElementById('main')!,
  document.getElementById('connection')!,
  document.getElementById('forget-key') as HTMLButtonElement,
).start();
