/**
 * The life cycle of a transfer and of each of its documents, in order.
 * The database stores the names; `enumName` in the OpenAPI document makes it one named schema.
 */
export enum TrackingState {
  INIT = 'INIT',
  SENT = 'SENT',
  DONE = 'DONE',
}
