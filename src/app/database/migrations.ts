import { InitialSchema1732000000000 } from './migrations/1732000000000-initial-schema';
import { DocumentTrackingIndex1764100000000 } from './migrations/1764100000000-document-tracking-index';
import { DocumentsFillfactor1765100000000 } from './migrations/1765100000000-documents-fillfactor';
import { DeliveryReceipts1766100000000 } from './migrations/1766100000000-delivery-receipts';

/**
 * The service's schema, step by step, in the order a database receives them. A database records
 * each by its class name (with its timestamp), so a name once released never changes. The schema
 * is one for both features (one migration creates both tables and the key between them), so the
 * composition root lists it, as it lists ENTITIES.
 */
export const MIGRATIONS = [
  InitialSchema1732000000000,
  DocumentTrackingIndex1764100000000,
  DocumentsFillfactor1765100000000,
  DeliveryReceipts1766100000000,
];
