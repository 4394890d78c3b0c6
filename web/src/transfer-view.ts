import {
  ApiError,
  call,
  fetchData,
  paths,
  SmsDocumentDto,
  SmsDocumentPageDto,
  SmsTransferDto,
  STATES,
  TrackingState,
  TransferProgressDto,
} from './api';
import { h } from './dom';
import { formatCount, timeElement } from './format';
import { ProgressBar, progressSentence } from './progress-bar';
import { figure } from './transfers-view';
import { View, ViewContext } from './view';

const DOCUMENTS_PAGE = 50;

/** One transfer: its bar and figures (refreshed), the fallback on request, and its documents by state. */
export class TransferView implements View {
  readonly heading = h('h1', { tabindex: '-1' }, 'Batch');
  readonly element: HTMLElement;
  private readonly meta = h('p', { class: 'meta' });
  private readonly bar = new ProgressBar();
  private readonly sentence = h('p', { class: 'progress-sentence', role: 'status' });
  private readonly figures = new Map<string, HTMLElement>();
  private readonly fallbackResult = h('p', { role: 'status' });
  private etag: string | null = null;

  constructor(
    private readonly ubid: string,
    private readonly context: ViewContext,
  ) {
    const figureList = h('dl', { class: 'figures wide' });
    for (const term of ['State', 'Documents uploaded', 'SMS messages', 'Fallback count', 'Last change', 'Transfer changed']) {
      const item = figure(term, '…');
      this.figures.set(term, item.querySelector('dd')!);
      figureList.append(item);
    }
    const compute = h('button', { type: 'button', id: 'compute-fallback' }, 'Compute the fallback count');
    compute.addEventListener('click', () => void this.computeFallback(compute));
    this.element = h(
      'div',
      { class: 'transfer-view' },
      h('p', {}, h('a', { href: '#/' }, 'All batches')),
      this.heading,
      this.meta,
      h(
        'section',
        { 'aria-labelledby': 'progress-heading' },
        h('h2', { id: 'progress-heading' }, 'Progress'),
        this.bar.element,
        this.sentence,
        figureList,
      ),
      h(
        'section',
        { 'aria-labelledby': 'fallback-heading' },
        h('h2', { id: 'fallback-heading' }, 'Fallback'),
        h(
          'p',
          {},
          'Messages that are not delivered (not DONE) go out again through the fallback channel. Computing their number stores it as the transfer’s fallback count.',
        ),
        compute,
        this.fallbackResult,
      ),
      new DocumentList(ubid, context).element,
    );
  }

  async refresh(): Promise<void> {
    const answer = await call<TransferProgressDto>(paths.progress(this.ubid), { etag: this.etag });
    if (!answer.changed) return;
    this.etag = answer.etag;
    const { transfer, summary } = answer.data;
    this.heading.textContent = transfer.origName;
    document.title = `${transfer.origName} · TrackingDb`;
    this.meta.replaceChildren(`${transfer.fileName} · UBID `, h('code', {}, transfer.UBID));
    this.bar.update(summary, transfer.documents);
    const sentence = progressSentence(summary, transfer.documents);
    // Only a new sentence is read out again.
    if (this.sentence.textContent !== sentence) this.sentence.textContent = sentence;
    this.show('State', transfer.state);
    this.show('Documents uploaded', `${formatCount(summary.total)} of ${formatCount(transfer.documents)} declared`);
    this.show('SMS messages', transfer.SMScount === null ? 'unknown' : formatCount(transfer.SMScount));
    this.show('Fallback count', formatCount(transfer.fallbackCount));
    this.show('Last change', timeElement(summary.lastChange, 'no documents yet'));
    this.show('Transfer changed', timeElement(transfer.when));
  }

  private show(term: string, value: string | Node): void {
    this.figures.get(term)!.replaceChildren(value);
  }

  private async computeFallback(button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    this.fallbackResult.textContent = 'Counting…';
    try {
      const transfer = await fetchData<SmsTransferDto>(paths.fallback(this.ubid), 'POST');
      this.show('Fallback count', formatCount(transfer.fallbackCount));
      this.fallbackResult.textContent = `${formatCount(transfer.fallbackCount)} documents are not delivered; stored as the fallback count.`;
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) {
        // A read key, as the page is meant to be given: it shows everything, but storing the count is a write.
        this.fallbackResult.textContent =
          'This API key may only read: computing and storing the fallback count needs a key with the write scope.';
        return;
      }
      this.fallbackResult.textContent = 'The fallback count could not be computed.';
      this.context.fail(error);
    } finally {
      button.disabled = false;
    }
  }
}

/** The batch's documents in one state or all, a keyset page at a time ("More"), and one document's data. */
class DocumentList {
  readonly element: HTMLElement;
  private readonly rows = h('tbody');
  private readonly status = h('p', { role: 'status' });
  private readonly more = h('button', { type: 'button', id: 'more-documents', hidden: true }, 'More documents');
  private readonly detail = h('section', { class: 'document-detail', 'aria-labelledby': 'document-heading', hidden: true });
  private state: TrackingState | undefined;
  private next: string | null = null;
  private shown = 0;

  constructor(
    private readonly ubid: string,
    private readonly context: ViewContext,
  ) {
    const filter = h('select', { id: 'document-state', name: 'document-state' }, h('option', { value: '' }, 'All states'));
    for (const state of STATES) filter.append(h('option', { value: state }, state));
    filter.addEventListener('change', () => {
      this.state = (filter.value || undefined) as TrackingState | undefined;
      void this.load(true);
    });
    this.more.addEventListener('click', () => void this.load(false));
    const table = h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, 'Documents of the batch'),
      h('thead', {}, h('tr', {}, ...['Document', 'State', 'SMS', 'Last change'].map((name) => h('th', { scope: 'col' }, name)))),
      this.rows,
    );
    this.element = h(
      'section',
      { 'aria-labelledby': 'documents-heading' },
      h('h2', { id: 'documents-heading' }, 'Documents'),
      h('div', { class: 'filters' }, h('label', { for: 'document-state' }, 'Show documents in'), filter),
      h('div', { class: 'table-scroll', role: 'region', 'aria-label': 'Documents', tabindex: '0' }, table),
      this.status,
      this.more,
      this.detail,
    );
    void this.load(true);
  }

  private async load(fromStart: boolean): Promise<void> {
    const query = new URLSearchParams({ limit: String(DOCUMENTS_PAGE) });
    if (this.state) query.set('state', this.state);
    if (!fromStart && this.next !== null) query.set('after', this.next);
    this.more.disabled = true;
    try {
      const page = await fetchData<SmsDocumentPageDto>(paths.documents(this.ubid, query));
      if (fromStart) {
        this.rows.replaceChildren();
        this.shown = 0;
      }
      const firstNew = page.items.length > 0 ? this.rows.children.length : -1;
      for (const item of page.items) {
        const open = h('button', { type: 'button', class: 'link-button' }, item.uniqueId);
        open.addEventListener('click', () => void this.open(item.uniqueId));
        this.rows.append(
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, open),
            h('td', {}, item.state),
            h('td', {}, formatCount(item.SMScount)),
            h('td', {}, timeElement(item.when)),
          ),
        );
      }
      this.shown += page.items.length;
      this.next = page.next;
      this.more.hidden = page.next === null;
      const which = this.state ? ` in state ${this.state}` : '';
      this.status.textContent =
        this.shown === 0
          ? `No documents${which}.`
          : `${formatCount(this.shown)} documents${which} shown${page.next === null ? ', all of them' : ''}.`;
      // "More" keeps the keyboard's place: on the first of the new rows.
      if (!fromStart && firstNew >= 0) this.rows.children[firstNew]?.querySelector('button')?.focus();
    } catch (error) {
      this.status.textContent = 'The documents could not be loaded.';
      this.context.fail(error);
    } finally {
      this.more.disabled = false;
    }
  }

  private async open(uniqueId: string): Promise<void> {
    try {
      const document = await fetchData<SmsDocumentDto>(paths.document(this.ubid, uniqueId));
      const heading = h('h3', { id: 'document-heading', tabindex: '-1' }, `Document ${document.uniqueId}`);
      this.detail.replaceChildren(
        heading,
        h(
          'dl',
          { class: 'figures' },
          figure('State', document.state),
          figure('SMS', formatCount(document.SMScount)),
          figure('Last change', timeElement(document.when)),
        ),
        h('pre', { class: 'data', tabindex: '0', 'aria-label': 'Its data' }, JSON.stringify(document.data, null, 2)),
      );
      this.detail.hidden = false;
      heading.focus();
    } catch (error) {
      this.context.fail(error);
    }
  }
}
