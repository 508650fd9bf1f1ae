// Bulk actions on the messages: a checkbox per row, "select all on this page",
// "select all N matching" (every message of the list's filters and search,
// read page by page with the list's cursor and sent in batches of at most 100
// through POST /dashboard/messages/bulk, with a progress bar), and "Empty spam".
// The API applies to each id what its own route would (docs/api.md, "Bulk
// actions"), so one message that cannot be changed never stops the others.

import {$, el, plural, replace} from '../dom.js';

const BATCH = 100;  // the bulk route's most ids per request, and the list's largest page

// [action, button label, what the result line says was done]
const ACTIONS = {
  read: ['Mark as read', 'Marked as read'],
  archive: ['Archive', 'Archived'],
  spam: ['Mark as spam', 'Marked as spam'],
  not_spam: ['Not spam', 'Moved back to the inbox'],
  delete: ['Delete', 'Deleted'],
};

function* batches(ids) {
  for (let start = 0; start < ids.length; start += BATCH) yield ids.slice(start, start + BATCH);
}

export class BulkActions {
  /**
   * @param {ReturnType<import('../api.js').createApi>} api
   * @param {{query: () => Record<string, string>, hasMore: () => boolean,
   *          offers: () => string[], listed: () => string[], onDone: () => Promise<void>,
   *          onError: (error: Error) => void}} list
   *   query: the list's filters and search; hasMore: whether pages follow this one;
   *   offers: the actions this view offers; listed: the statuses `all` lists;
   *   onDone: reload after an action.
   */
  constructor(api, list) {
    this.api = api;
    this.list = list;
    this.selected = new Set();
    this.pageIds = [];
    this.allMatching = false;
    this.matchingCount = null;
    this.running = false;
    this.stopped = false;
    this.bar = $('#messages-bulk');
    this.count = $('#bulk-count');
    this.actions = $('#bulk-actions');
    this.pageBox = $('#messages-select-page');
    this.matchingButton = $('#bulk-select-matching');
    this.progress = $('#bulk-progress');
    this.progressBar = $('#bulk-progress-bar');
    this.progressText = $('#bulk-progress-text');
    this.result = $('#bulk-result');
    this.pageBox.addEventListener('change', () => this.selectPage(this.pageBox.checked));
    this.matchingButton.addEventListener('click', () => this.toggleMatching());
    $('#bulk-stop').addEventListener('click', () => { this.stopped = true; });
    $('#messages-empty-spam').addEventListener('click', () => this.confirmEmptySpam());
  }

  /** The checkbox of one row. */
  checkbox(message) {
    const box = el('input', {attrs: {type: 'checkbox', 'aria-label': `Select message from ${message.name ?? message.email ?? ''}`},
      dataset: {id: message.id}});
    box.checked = this.selected.has(message.id) || this.allMatching;
    box.addEventListener('change', () => {
      this.allMatching = false;
      if (box.checked) this.selected.add(message.id);
      else this.selected.delete(message.id);
      this.pageChosen();
    });
    return box;
  }

  /** A page was shown: what is selected is only ever what is on screen. */
  pageShown(ids) {
    if (this.running) return;
    this.pageIds = ids;
    this.selected = new Set(ids.filter((id) => this.selected.has(id)));
    this.allMatching = false;
    this.render();
  }

  /** The filters or the search changed: nothing is selected any more. */
  reset() {
    if (this.running) return;
    this.selected.clear();
    this.allMatching = false;
    this.matchingCount = null;
    this.result.hidden = true;
  }

  selectPage(on) {
    this.allMatching = false;
    this.selected = new Set(on ? this.pageIds : []);
    for (const box of document.querySelectorAll('#messages-rows input[type="checkbox"]')) box.checked = on;
    this.pageChosen();
  }

  get pageSelected() {
    return this.pageIds.length > 0 && this.pageIds.every((id) => this.selected.has(id));
  }

  /** After a checkbox: the bar, and with the whole page chosen, how many the view holds. */
  pageChosen() {
    this.render();
    if (!this.pageSelected || !this.list.hasMore()) return;
    const asked = (this.countTicket = (this.countTicket ?? 0) + 1);
    this.countMatching().then((count) => {
      if (asked !== this.countTicket) return;
      this.matchingCount = count;
      this.render();
    });
  }

  toggleMatching() {
    if (this.allMatching) {
      this.selectPage(false);
      return;
    }
    this.allMatching = true;
    this.render();
  }

  /**
   * How many messages the filters select, where the header's counters say it
   * (a status, every status, or one form's every status); null for a search.
   */
  async countMatching() {
    const query = this.list.query();
    this.matchingCount = null;
    if (query.q || query.email) return null;
    try {
      const {data} = await this.api.get('/dashboard/stats');
      const counts = data?.messages ?? {};
      if (query.form) return query.status === 'all' ? data?.forms?.[query.form] ?? null : null;
      const statuses = query.status === 'all' ? this.list.listed() : [query.status];
      if (!statuses.every((status) => typeof counts[status] === 'number')) return null;
      return statuses.reduce((sum, status) => sum + counts[status], 0);
    } catch {
      return null;
    }
  }

  render() {
    const count = this.allMatching ? this.matchingCount : this.selected.size;
    const onPage = this.pageIds.length;
    const {pageSelected} = this;
    this.pageBox.checked = pageSelected || this.allMatching;
    this.pageBox.indeterminate = !this.allMatching && this.selected.size > 0 && !pageSelected;
    this.pageBox.disabled = onPage === 0 || this.running;
    $('#messages-select-page-label').hidden = onPage === 0;
    this.bar.hidden = !this.allMatching && this.selected.size === 0;
    if (this.bar.hidden) return;
    this.count.textContent = this.allMatching
      ? (count === null ? 'Every matching message is selected.' : `All ${plural(count, 'matching message')} are selected.`)
      : `${plural(this.selected.size, 'message')} selected on this page.`;
    const more = this.list.hasMore();
    this.matchingButton.hidden = !this.allMatching && !(pageSelected && more);
    this.matchingButton.textContent = this.allMatching ? 'Select only this page'
      : this.matchingCount === null ? 'Select every message that matches, on every page'
        : `Select all ${plural(this.matchingCount, 'message')} of this view`;
    replace(this.actions, ...this.list.offers().map((action) => el('button', {
      className: action === 'delete' ? 'danger small' : 'secondary small', text: ACTIONS[action][0],
      attrs: {type: 'button', disabled: this.running}, dataset: {action},
      on: {click: () => (action === 'delete' ? this.confirmDelete() : this.run(action))}})));
  }

  confirmDelete() {
    const what = this.allMatching ? 'every matching message' : plural(this.selected.size, 'message');
    replace(this.actions,
      el('span', {className: 'confirm', text: `Delete ${what} for good?`}),
      el('button', {className: 'danger small', text: 'Yes, delete', attrs: {type: 'button'},
        on: {click: () => this.run('delete')}}),
      el('button', {className: 'secondary small', text: 'Keep them', attrs: {type: 'button'},
        on: {click: () => this.render()}}));
  }

  confirmEmptySpam() {
    const box = $('#messages-empty-spam-confirm');
    replace(box,
      el('span', {className: 'confirm', text: 'Delete every spam message for good?'}),
      el('button', {className: 'danger small', text: 'Yes, empty spam', attrs: {type: 'button'},
        on: {click: () => { box.hidden = true; this.run('delete', {status: 'spam'}); }}}),
      el('button', {className: 'secondary small', text: 'Keep them', attrs: {type: 'button'},
        on: {click: () => { box.hidden = true; }}}));
    box.hidden = false;
  }

  /** The ids to act on, in batches: the selection, or every page of `query`. */
  async* targets(query) {
    if (!query) {
      yield* batches([...this.selected]);
      return;
    }
    let cursor = null;
    do {
      const {data} = await this.api.get('/dashboard/messages', {query: {...query, limit: BATCH, cursor}});
      const ids = (data?.items ?? []).map((message) => message.id);
      if (ids.length) yield ids;
      cursor = data?.nextCursor ?? null;
    } while (cursor && !this.stopped);
  }

  /**
   * Apply `action` to the selection, or to every message of the list's filters
   * (`allMatching`), or of `everyOf` (Empty spam: {status: 'spam'}).
   */
  async run(action, everyOf = null) {
    const query = everyOf ?? (this.allMatching ? this.list.query() : null);
    const total = everyOf ? await this.countOf(everyOf) : query ? this.matchingCount : this.selected.size;
    this.running = true;
    this.stopped = false;
    this.result.hidden = true;
    this.render();
    let done = 0;
    const failures = [];
    this.showProgress(action, done, total);
    try {
      for await (const ids of this.targets(query)) {
        if (this.stopped) break;
        const {data} = await this.api.post('/dashboard/messages/bulk', {ids, action});
        for (const result of data?.results ?? []) {
          if (result.error) failures.push(result);
          else done += 1;
        }
        this.showProgress(action, done + failures.length, total);
      }
      this.finish(action, done, failures);
    } catch (error) {
      this.finish(action, done, failures);
      this.list.onError(error);
    } finally {
      this.running = false;
      this.progress.hidden = true;
      this.selected.clear();
      this.allMatching = false;
      await this.list.onDone();
    }
  }

  async countOf(query) {
    try {
      const {data} = await this.api.get('/dashboard/stats');
      const count = data?.messages?.[query.status];
      return typeof count === 'number' ? count : null;
    } catch {
      return null;
    }
  }

  showProgress(action, handled, total) {
    this.progress.hidden = false;
    if (total) {
      this.progressBar.max = Math.max(total, handled);
      this.progressBar.value = handled;
    } else {
      this.progressBar.removeAttribute('value');  // indeterminate: the total is not known
    }
    this.progressText.textContent = `${ACTIONS[action][1]}: ${handled}${total ? ` of ${total}` : ''}…`;
  }

  finish(action, done, failures) {
    const parts = [`${ACTIONS[action][1]}: ${plural(done, 'message')}.`];
    if (this.stopped) parts.push('Stopped before the end.');
    if (failures.length) {
      parts.push(`${plural(failures.length, 'message')} could not be changed: ${failures[0].error?.message ?? ''}`);
    }
    this.result.textContent = parts.join(' ');
    this.result.hidden = false;
  }
}
