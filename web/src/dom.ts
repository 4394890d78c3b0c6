/** Attributes of a new element; `false` and `undefined` leave one out, `true` sets it empty. */
export type Attributes = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/**
 * A new element with its attributes and children. Text always goes in as text nodes, never as
 * HTML, so nothing the API returns can inject markup; and there is no `style` attribute, which
 * the page's Content-Security-Policy would refuse (sizes are set through `element.style`).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false));
  return element;
}

/**
 * Replaces a container's content and gives focus back to the element with the same id, if the
 * new content has one that can take it, so that a keyboard user's place survives a refresh.
 */
export function replaceKeepingFocus(container: HTMLElement, ...children: Node[]): void {
  const focusedId = container.contains(document.activeElement) ? document.activeElement?.id : undefined;
  container.replaceChildren(...children);
  if (!focusedId) return;
  const again = document.getElementById(focusedId);
  if (again && !(again as HTMLButtonElement).disabled) again.focus();
}
