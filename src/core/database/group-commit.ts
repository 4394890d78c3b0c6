import { DomainError } from '../errors/domain-error';

export interface GroupCommitOptions {
  /** The most items one flush takes (a caller's items are never split between flushes). */
  maxItems: number;
  /** The most items waiting for a flush; more are refused at once rather than queued without end. */
  maxWaiting: number;
}

interface Waiting<I, O> {
  items: I[];
  resolve: (results: O[]) => void;
  reject: (error: unknown) => void;
}

/** A caller's items could not even wait: as many are already waiting as may. */
export const groupCommitFull = (what: string) => new DomainError('unavailable', `Too many ${what} are waiting to be written. Retry later.`);

/**
 * Group commit: small writes that arrive together share one transaction, so one commit (one fsync)
 * serves many callers, each answered only once the flush holding its items has committed. One
 * flush runs at a time: while it runs, new items wait; when it ends, the next takes everything
 * waiting (up to `maxItems`). Under a light load a caller is flushed at once, alone; under a heavy
 * one the groups grow with it.
 *
 * A flush that fails fails all of its callers (none was acknowledged, each may retry), and the
 * flushes after it go on.
 */
export class GroupCommit<I, O> {
  private readonly waiting: Waiting<I, O>[] = [];
  private waitingItems = 0;
  private flushing = false;

  constructor(
    /** Writes the items in one transaction and answers one result per item, in order. */
    private readonly flush: (items: I[]) => Promise<O[]>,
    private readonly options: GroupCommitOptions,
    /** What the items are, for the refusal's words ("receipts"). */
    private readonly what: string,
  ) {}

  /** Items waiting for a flush. */
  get depth(): number {
    return this.waitingItems;
  }

  /** The results of `items`, in order, once the flush that wrote them has committed. */
  submit(items: I[]): Promise<O[]> {
    if (this.waitingItems + items.length > this.options.maxWaiting) return Promise.reject(groupCommitFull(this.what));
    return new Promise<O[]>((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      this.waitingItems += items.length;
      this.startFlush();
    });
  }

  private startFlush(): void {
    if (this.flushing || this.waiting.length === 0) return;
    this.flushing = true;
    void this.runFlush(this.takeGroup());
  }

  /** The callers the next flush serves: the first always, then the next ones while they fit. */
  private takeGroup(): Waiting<I, O>[] {
    const group = [this.waiting.shift()!];
    let items = group[0].items.length;
    while (this.waiting.length > 0 && items + this.waiting[0].items.length <= this.options.maxItems) {
      items += this.waiting[0].items.length;
      group.push(this.waiting.shift()!);
    }
    this.waitingItems -= items;
    return group;
  }

  private async runFlush(group: Waiting<I, O>[]): Promise<void> {
    try {
      const results = await this.flush(group.flatMap((caller) => caller.items));
      let offset = 0;
      for (const caller of group) {
        caller.resolve(results.slice(offset, offset + caller.items.length));
        offset += caller.items.length;
      }
    } catch (error) {
      for (const caller of group) caller.reject(error);
    } finally {
      this.flushing = false;
      this.startFlush();
    }
  }
}
