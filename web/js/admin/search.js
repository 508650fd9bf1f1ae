// The messages' search box: what it asks the list for, once typing pauses,
// and what the list then says about how far back it searched. A whole address
// looks the sender up in its index (`email=`, at flat cost); anything else
// searches the newest messages' text (`q=`, docs/api.md, "Finding messages").

import {$, plural} from '../dom.js';

const DEBOUNCE_MS = 300;
const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class SearchBox {
  /**
   * @param {HTMLInputElement} input
   * @param {HTMLButtonElement} clearButton
   * @param {() => void} onChange  runs once typing has paused, and at once on Clear or Enter
   */
  constructor(input, clearButton, onChange) {
    this.input = input;
    this.clearButton = clearButton;
    this.onChange = onChange;
    this.timer = null;
    this.applied = '';  // the text the list now shows results for
    this.searched = [];  // how many messages each page of the pager's trail examined
    input.addEventListener('input', () => {
      this.clearButton.hidden = !input.value;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.apply(), DEBOUNCE_MS);
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this.apply();
      } else if (event.key === 'Escape' && input.value) {
        event.preventDefault();
        this.clear();
      }
    });
    clearButton.addEventListener('click', () => {
      this.clear();
      input.focus();
    });
  }

  get text() {
    return this.input.value.trim();
  }

  /** The list's query parameters for what is typed: {email} or {q}, or none. */
  query() {
    const text = this.applied;
    if (!text) return {};
    return ADDRESS.test(text) ? {email: text} : {q: text};
  }

  /** The filters or the words changed: the count of messages searched starts again. */
  restart() {
    this.searched = [];
  }

  /**
   * A page of the list was shown (`page`: its number in the pager's trail). A
   * search's page says how many messages it examined (`searched`): "no results"
   * says how far back it looked, and offers to look further while older ones remain.
   */
  pageShown(found, searched, more, page) {
    const words = this.applied;
    const examined = typeof searched === 'number';
    this.searched[page - 1] = searched ?? 0;
    const total = this.searched.slice(0, page).reduce((sum, n) => sum + (n ?? 0), 0);
    const line = $('#messages-searched');
    line.hidden = !examined || found === 0;
    line.textContent = examined ? `${found} found for “${words}” in ${plural(total, 'message')} searched so far`
      + `${more ? '; Next searches further' : ''}.` : '';
    $('#messages-empty').hidden = found > 0;
    $('#messages-search-further').hidden = !(examined && more && found === 0);
    const empty = $('#messages-empty-text');
    if (!words) empty.textContent = 'No messages.';
    else if (!examined) empty.textContent = `No message from ${words} in this view.`;
    else if (more) {
      empty.textContent = `No message matches “${words}” in the newest ${plural(total, 'message')} `
        + 'of this view. Older ones have not been searched yet.';
    } else {
      empty.textContent = `No message matches “${words}”: all ${plural(total, 'message')} of this view were searched.`;
    }
  }

  clear() {
    this.input.value = '';
    this.clearButton.hidden = true;
    this.apply();
  }

  apply() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.text === this.applied) return;  // a space, or the same words again
    this.applied = this.text;
    this.onChange();
  }
}
