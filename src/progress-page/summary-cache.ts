import { SmsDocumentsSummary } from '../sms-document/domain/sms-document';
import { CoalescingCache } from './coalescing-cache';

/**
 * How long a batch's summary is served again: 1 s, or 20 times what counting it took (2.4 s for
 * 400,000 documents), so that the pages watching a batch keep at most a twentieth of a database
 * connection busy with it, however many they are. Measured in docs/progress-page.md.
 */
export const SUMMARY_FRESHNESS = { minFreshMs: 1000, costFactor: 20, maxEntries: 10_000 };

/** The progress page's summaries by UBID, shared by every page that polls them; null for a transfer that is gone. */
export class SummaryCache extends CoalescingCache<SmsDocumentsSummary | null> {}
