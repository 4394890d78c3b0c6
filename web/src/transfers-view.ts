import { call, paths, STATES, TrackingState, TransferProgressDto, TransferProgressPageDto } from './api';
import { h, replaceKeepingFocus } from './dom';
import { formatCount, timeElement } from './format';
import { ProgressBar } from './progress-bar';
import { View } from './view';

export const PAGE_SIZE = 10;

export interface TransfersRoute {
  state?: TrackingState;
  offset: number;
}

export const transfersHash = ({ state, offset }: TransfersRoute): string => {
  const query = new URLSearchParams();
  if (state) query.set('state', state);
  if (offset > 0) query.set('offset', String(offset));
  const text = query.toString();
  return text ? `#/?${text}` : '#/';
};

export const transferHash = (ubid: string): string => `#/transfers/${encodeURIComponent(ubid)}`;

/** The transfers, newest first, a page at a time, each with its bar and figures. */
export class TransfersView implements View {
  readonly heading = h('h1', { tabindex: '-1' }, 'Batches');
  readonly element: HTMLElement;
  private readonly status = h('p', { class: 'list-status', role: 'status' });
  private readonly list = h('ul', { class: 'transfers', 'aria-label': 'Batches' });
  private readonly pager = h('nav', { class: 'pager', 'aria-label': 'Pages of batches' });
  private etag: string | null = null;

  constructor(private readonly route: TransfersRoute) {
    const filter = h('select', { id: 'state-filter', name: 'state' }, h('option', { value: '' }, 'All states'));
    for (const state of STATES) filter.append(h('option', { value: state, selected: state === route.state }, state));
    filter.addEventListener('change', () => {
      location.hash = transfersHash({ state: (filter.value || undefined) as TrackingState | undefined, offset: 0 });
    });
    this.element = h(
      'div',
      { class: 'transfers-view' },
      this.heading,
      h('div', { class: 'filters' }, h('label', { for: 'state-filter' }, 'Show batches in'), filter),
      this.status,
      this.list,
      this.pager,
    );
    document.title = 'Batches · TrackingDb';
  }

  async refresh(): Promise<void> {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(this.route.offset) });
    if (this.route.state) query.set('state', this.route.state);
    const answer = await call<TransferProgressPageDto>(paths.progressList(query), { etag: this.etag });
    if (!answer.changed) return;
    this.etag = answer.etag;
    this.render(answer.data);
  }

  private render({ total, items }: TransferProgressPageDto): void {
    const { offset, state } = this.route;
    const which = state ? ` in state ${state}` : '';
    this.status.textContent =
      items.length === 0 ? `No batches${which}.` : `Batches ${offset + 1} to ${offset + items.length} of ${formatCount(total)}${which}.`;
    replaceKeepingFocus(this.list, ...items.map(card));
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    replaceKeepingFocus(
      this.pager,
      pageLink('previous-page', 'Newer batches', offset > 0 ? { state, offset: Math.max(0, offset - PAGE_SIZE) } : null),
      h('span', {}, `Page ${Math.floor(offset / PAGE_SIZE) + 1} of ${pages}`),
      pageLink('next-page', 'Older batches', offset + PAGE_SIZE < total ? { state, offset: offset + PAGE_SIZE } : null),
    );
  }
}

function pageLink(id: string, label: string, route: TransfersRoute | null): HTMLElement {
  return route ? h('a', { id, href: transfersHash(route) }, label) : h('span', { class: 'disabled', 'aria-disabled': 'true' }, label);
}

function card({ transfer, summary }: TransferProgressDto): HTMLElement {
  const bar = new ProgressBar();
  bar.update(summary, transfer.documents);
  return h(
    'li',
    { class: 'card' },
    h('h2', {}, h('a', { id: `open-${transfer.UBID}`, href: transferHash(transfer.UBID) }, transfer.origName)),
    h('p', { class: 'meta' }, h('span', { class: `state-badge ${transfer.state.toLowerCase()}` }, transfer.state), ' ', transfer.fileName),
    bar.element,
    h(
      'dl',
      { class: 'figures' },
      figure('Documents', `${formatCount(summary.total)} of ${formatCount(transfer.documents)}`),
      figure('Fallback', formatCount(transfer.fallbackCount)),
      figure('Last change', timeElement(summary.lastChange)),
    ),
  );
}

export function figure(term: string, value: string | Node): HTMLElement {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}
