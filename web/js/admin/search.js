// The messages' search box: what it asks the list for, once typing pauses.
// A whole address looks the sender up in its index (`email=`, at flat cost);
// anything else searches the newest messages' text (`q=`, docs/api.md,
// "Finding messages").

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
