// Cursor paging: the API gives an opaque nextCursor for the page after this
// one; going back means remembering the cursors that led here.

import {$} from '../dom.js';

export class Pager {
  /** @param {HTMLElement} root  holds [data-page=prev|next|label]; @param {() => void} onChange */
  constructor(root, onChange) {
    this.prevButton = $('[data-page="prev"]', root);
    this.nextButton = $('[data-page="next"]', root);
    this.label = $('[data-page="label"]', root);
    this.onChange = onChange;
    this.reset();
    this.prevButton.addEventListener('click', () => this.previous());
    this.nextButton.addEventListener('click', () => this.next());
  }

  reset() {
    this.trail = [null];  // cursor of each page up to the current one; page 1 has none
    this.nextCursor = null;
    this.render();
  }

  get cursor() {
    return this.trail[this.trail.length - 1];
  }

  /** Record what the page just loaded says about the next one. */
  loaded(nextCursor) {
    this.nextCursor = nextCursor ?? null;
    this.render();
  }

  next() {
    if (!this.nextCursor) return;
    this.trail.push(this.nextCursor);
    this.onChange();
  }

  previous() {
    if (this.trail.length < 2) return;
    this.trail.pop();
    this.onChange();
  }

  render() {
    this.prevButton.disabled = this.trail.length < 2;
    this.nextButton.disabled = !this.nextCursor;
    this.label.textContent = `Page ${this.trail.length}`;
  }
}
