/** What the app shows in <main>: the transfer list or one transfer. */
export interface View {
  readonly element: HTMLElement;
  /** Takes focus when the view opens, so that a screen reader starts there. */
  readonly heading: HTMLElement;
  /** Reads what changed since the last call (a conditional request) and shows it. */
  refresh(): Promise<void>;
}

/** How a view hands the app an error of its own actions: a 401 brings up the key prompt. */
export interface ViewContext {
  fail(error: unknown): void;
}
