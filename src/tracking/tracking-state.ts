/**
 * The life cycle of a transfer and of each of its documents, in order.
 * The database stores the names; `enumName` in the OpenAPI document makes it one named schema.
 */
export enum TrackingState {
  INIT = 'INIT',
  SENT = 'SENT',
  DONE = 'DONE',
}

const ORDER = Object.values(TrackingState);

/** The states a transfer or document may move on from to reach `state`: those before it. */
export function statesBefore(state: TrackingState): TrackingState[] {
  return ORDER.slice(0, ORDER.indexOf(state));
}

/** Whether going from `current` to `requested` would move backwards, which the state routes refuse. */
export function isBackwards(current: TrackingState, requested: TrackingState): boolean {
  return ORDER.indexOf(current) > ORDER.indexOf(requested);
}
