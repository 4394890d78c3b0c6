import { STATES, Summary, TrackingState } from './api';
import { h } from './dom';
import { formatCount } from './format';

/** Left to right, as a batch fills up: delivered, then sent, then waiting; the rest of the track is not uploaded yet. */
const ORDER: TrackingState[] = [...STATES].reverse();
const percent = (part: number, whole: number) => (whole === 0 ? 0 : (100 * part) / whole);

/**
 * A stacked bar of a batch's documents by state, over the documents the transfer declared (or
 * those uploaded, if more), with a legend that gives the figures as text. The bar is an image to
 * assistive technology, named by its percentages; the legend is read as it is.
 */
export class ProgressBar {
  readonly element: HTMLElement;
  private readonly bar = h('div', { class: 'bar', role: 'img' });
  private readonly segments = new Map<TrackingState, HTMLElement>();
  private readonly counts = new Map<TrackingState | 'missing', HTMLElement>();
  private readonly missingItem: HTMLElement;

  constructor() {
    const legend = h('ul', { class: 'legend' });
    for (const state of ORDER) {
      const segment = h('span', { class: `segment ${state.toLowerCase()}` });
      this.segments.set(state, segment);
      this.bar.append(segment);
      legend.append(this.legendItem(state, state));
    }
    this.missingItem = this.legendItem('missing', 'not uploaded');
    legend.append(this.missingItem);
    this.element = h('div', { class: 'progress' }, this.bar, legend);
  }

  update(summary: Summary, declared: number): void {
    const whole = Math.max(declared, summary.total);
    for (const state of ORDER) {
      this.segments.get(state)!.style.width = `${percent(summary[state], whole)}%`;
      this.counts.get(state)!.textContent = formatCount(summary[state]);
    }
    const missing = whole - summary.total;
    this.counts.get('missing')!.textContent = formatCount(missing);
    this.missingItem.hidden = missing === 0;
    const shares = ORDER.map((state) => `${Math.round(percent(summary[state], whole))} % ${state}`).join(', ');
    this.bar.setAttribute('aria-label', whole === 0 ? 'No documents yet' : `${shares} of ${formatCount(whole)} documents`);
  }

  private legendItem(key: TrackingState | 'missing', label: string): HTMLElement {
    const count = h('strong', { 'data-count': key });
    this.counts.set(key, count);
    return h('li', {}, h('span', { class: `swatch ${key.toLowerCase()}`, 'aria-hidden': 'true' }), `${label} `, count);
  }
}

/** A sentence for a live region: whole percentages only, so that it changes (and is read out) now and then, not at every refresh. */
export function progressSentence(summary: Summary, declared: number): string {
  const whole = Math.max(declared, summary.total);
  if (whole === 0) return 'No documents yet.';
  if (summary.DONE === whole) return `All ${formatCount(whole)} documents delivered.`;
  return `${Math.floor(percent(summary.DONE, whole))} % delivered, ${Math.floor(percent(summary.SENT, whole))} % sent, ${Math.floor(percent(summary.INIT, whole))} % waiting.`;
}
