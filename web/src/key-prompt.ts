import { apiKey } from './api';
import { h } from './dom';

/**
 * The form that asks for an API key when the API answers 401. The key is kept for this tab only
 * and sent in the Authorization header (see api.ts); `onKey` runs once one is given.
 */
export function keyPrompt(refused: boolean, onKey: () => void): HTMLElement {
  const input = h('input', {
    id: 'api-key',
    name: 'api-key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'api-key-help',
  });
  const form = h(
    'form',
    { class: 'key-prompt', 'aria-labelledby': 'key-heading' },
    h('h1', { id: 'key-heading', tabindex: '-1' }, 'API key needed'),
    refused ? h('p', { class: 'error', role: 'alert' }, 'The service refused that key. Check it and try again.') : null,
    h(
      'p',
      { id: 'api-key-help' },
      'This service runs with API keys. The key stays in this browser tab only and goes to the service in a request header.',
    ),
    h('label', { for: 'api-key' }, 'API key'),
    h('div', { class: 'key-row' }, input, h('button', { type: 'submit' }, 'Show the batches')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    apiKey.set(key);
    onKey();
  });
  return form;
}
