// The messages panel: a list per status or of all of them (and, if chosen,
// per form) with paging, and one opened message (message-detail.js) that can
// be marked read (or new again), archived, marked as spam (or not spam),
// deleted or replied to. Every action shows its result at once in the detail
// (its status and the actions it now offers), in its row and in the header's
// counters. Every value from a message is set as text: its fields come from
// strangers.

import {$, el, emailParts, formatDate, replace} from '../dom.js';
import {BulkActions} from './bulk.js';
import {ExportNote, downloadCsv} from './export.js';
import {MessageDetail, STATUS_LABELS} from './message-detail.js';
import {Pager} from './pager.js';
import {SearchBox} from './search.js';

const PAGE_SIZE = 10;

export class MessagesPanel {
  /**
   * @param {ReturnType<import('../api.js').createApi>} api
   * @param {{onChanged: () => void, onError: (error: Error, show: (message: string) => void) => void}} hooks
   * @param {{spamRetentionDays?: number}} options
   */
  constructor(api, hooks, options = {}) {
    this.api = api;
    this.hooks = hooks;
    this.spamRetentionDays = options.spamRetentionDays ?? 30;
    this.rows = $('#messages-rows');
    this.status = $('#message-status');
    this.formFilter = $('#message-form');
    this.formNames = null;  // Map: form id → name, from GET /dashboard/forms
    this.errorBox = $('#messages-error');
    this.exportScope = $('#messages-export-scope');
    this.exportNote = new ExportNote($('#messages-export-status'));
    this.pager = new Pager($('#messages-pager'), () => this.load());
    this.search = new SearchBox($('#message-search'), $('#message-search-clear'), () => this.filtersChanged());
    this.bulk = new BulkActions(api, {
      query: () => this.query(),
      hasMore: () => Boolean(this.pager.nextCursor),
      offers: () => this.bulkOffers(),
      listed: () => [...this.status.options].map((option) => option.value)
        .filter((status) => status !== 'all' && status !== 'spam'),
      onDone: async () => {
        this.hooks.onChanged();
        if (this.detail.openId) await this.refreshOpen();
        await this.load();
      },
      onError: (error) => this.hooks.onError(error, (message) => this.showError(message)),
    });
    for (const filter of [this.status, this.formFilter]) {
      filter.addEventListener('change', () => this.filtersChanged({close: true}));
    }
    $('#messages-search-further').addEventListener('click', () => this.pager.next());
    $('#messages-reload').addEventListener('click', () => {
      this.exportNote.clear();
      this.formNames = null;  // a reload picks up forms added elsewhere too
      this.load();
    });
    $('#messages-export').addEventListener('click', () => this.exportCsv());
    this.detail = new MessageDetail($('#message-detail'), api, {
      formName: (formId) => this.formName(formId),
      setStatus: (id, status) => this.setStatus(id, status),
      remove: (id) => this.remove(id),
      open: (id) => this.open(id),
      close: () => this.close(),
      changed: (message, focus) => this.changed(message, focus),
      onError: (error, show = (message) => this.showError(message)) => this.hooks.onError(error, show),
    });
  }

  /** The export of this view (its status and form), or of every message. */
  async exportCsv() {
    const button = $('#messages-export');
    button.disabled = true;
    this.exportNote.working();
    try {
      const everything = this.exportScope.value === 'everything';
      // One form's export has a column per field of that form.
      const form = everything ? '' : this.formFilter.value;
      const status = everything ? '' : this.status.value;
      await downloadCsv(this.api, '/dashboard/messages/export', {status, form},
        `${form ? `${form}-` : ''}messages-${status || 'all'}.csv`);
      this.exportNote.done();
    } catch (error) {
      this.exportNote.clear();
      this.hooks.onError(error, (message) => this.showError(message));
    } finally {
      button.disabled = false;
    }
  }

  /** On the Spam list, when spam is deleted (DynamoDB's TTL, the stage's spamRetentionDays). */
  showSpamNote() {
    const note = $('#messages-spam-note');
    const days = this.spamRetentionDays;
    note.textContent = `Spam is deleted automatically ${days} day${days === 1 ? '' : 's'} after it `
      + 'was marked as spam. "Not spam" moves a message back and sends the email it held back.';
    note.hidden = this.status.value !== 'spam';
  }

  /** The list's filters and search, as GET /dashboard/messages takes them. */
  query() {
    return {status: this.status.value, form: this.formFilter.value, ...this.search.query()};
  }

  filtersChanged({close = false} = {}) {
    this.exportNote.clear();
    this.bulk.reset();
    this.pager.reset();
    this.search.restart();
    if (close) this.close();
    this.load();
  }

  /**
   * The bulk actions this view offers: what moves its messages on. Spam offers
   * "Not spam" (each message's held-back mail is sent, once) and Delete; every
   * other view offers "Mark as spam".
   */
  bulkOffers() {
    const status = this.status.value;
    if (status === 'spam') return ['not_spam', 'delete'];
    const offers = [];
    if (status === 'new' || status === 'all') offers.push('read');
    if (status !== 'archived') offers.push('archive');
    return [...offers, 'spam', 'delete'];
  }

  async refreshOpen() {
    try {
      const {data} = await this.api.get(`/dashboard/messages/${encodeURIComponent(this.detail.openId)}`);
      if (data) this.detail.show(data, 'none');
    } catch {
      this.close();  // deleted by the bulk action
    }
  }

  showError(message) {
    this.errorBox.textContent = message;
    this.errorBox.hidden = !message;
  }

  /** The forms to filter by; again after a form was added, renamed or deleted. */
  formsChanged() {
    this.formNames = null;
  }

  async loadForms() {
    const {data} = await this.api.get('/dashboard/forms');
    const forms = data?.forms ?? [];
    this.formNames = new Map(forms.map((form) => [form.formId, form.name]));
    const chosen = this.formFilter.value;
    replace(this.formFilter, el('option', {attrs: {value: ''}, text: 'All forms'}),
      ...forms.map((form) => el('option', {attrs: {value: form.formId}, text: form.name})));
    // A form deleted since it was chosen stays chosen: its messages are still there.
    if (chosen && !this.formNames.has(chosen)) {
      this.formFilter.append(el('option', {attrs: {value: chosen}, text: chosen}));
    }
    this.formFilter.value = chosen;
  }

  formName(formId) {
    return this.formNames?.get(formId) ?? formId ?? '';
  }

  async load() {
    this.showError('');
    // Only the latest load may fill the list: a filter changed while a page was on
    // its way must not have that older page land on top of the newer one.
    const ticket = (this.loadTicket = (this.loadTicket ?? 0) + 1);
    try {
      // The forms (for the filter and the Form column) and the page, side by side.
      const [, {data}] = await Promise.all([
        this.formNames ? null : this.loadForms(),
        this.api.get('/dashboard/messages', {
          query: {...this.query(), limit: PAGE_SIZE, cursor: this.pager.cursor}})]);
      if (ticket !== this.loadTicket) return;
      this.showSpamNote();
      const items = data?.items ?? [];
      replace(this.rows, ...items.map((message) => this.row(message)));
      this.pager.loaded(data?.nextCursor);
      this.search.pageShown(items.length, data?.searched, Boolean(data?.nextCursor), this.pager.trail.length);
      $('#messages-spam-tools').hidden = this.status.value !== 'spam' || items.length === 0;
      this.bulk.pageShown(items.map((message) => message.id));
    } catch (error) {
      this.hooks.onError(error, (message) => this.showError(message));
    }
  }

  row(message) {
    const open = el('button', {
      className: 'link', text: 'Open',
      attrs: {type: 'button', 'aria-label': `Open message from ${message.name ?? message.email ?? ''}`},
      on: {click: () => this.open(message.id)},
    });
    return el('tr', {dataset: {id: message.id}, className: message.id === this.detail.openId ? 'selected' : ''},
      el('td', {className: 'select'}, this.bulk.checkbox(message)),
      el('td', {className: 'received', attrs: {title: message.createdAt ?? ''}, text: formatDate(message.createdAt)}),
      // Another form may have no name field, or no email field: no empty line for either.
      el('td', {}, message.name ? [el('span', {className: 'from-name', text: message.name}), el('br')] : null,
        el('span', {className: 'muted from-email'}, ...emailParts(message.email))),
      el('td', {className: 'subject', text: message.subject || '(no subject)'}),
      el('td', {className: 'message-form', attrs: {title: message.formId ?? ''}, text: this.formName(message.formId)}),
      el('td', {}, el('span', {className: `badge status-${message.status}`,
        text: STATUS_LABELS[message.status] ?? message.status ?? ''})),
      el('td', {}, open));
  }

  close() {
    this.detail.hide();
  }

  async open(id) {
    this.showError('');
    this.exportNote.clear();
    this.detail.resetPolling();
    try {
      const {data} = await this.api.get(`/dashboard/messages/${encodeURIComponent(id)}`);
      this.detail.show(data);
      for (const tr of this.rows.children) tr.classList.toggle('selected', tr.dataset.id === id);
    } catch (error) {
      this.hooks.onError(error, (message) => this.showError(message));
    }
  }

  /**
   * A message as an action left it: the detail (its status and the actions it
   * now offers), its row and the header's counters at once; then the page of
   * the list again, which a message no longer of this view leaves.
   */
  async changed(message, focus = 'detail') {
    if (this.detail.openId === message.id) this.detail.show(message, focus);
    const row = this.rows.querySelector(`tr[data-id="${CSS.escape(message.id)}"]`);
    row?.replaceWith(this.row(message));
    this.hooks.onChanged();
    await this.load();
  }

  async setStatus(id, status) {
    this.showError('');
    try {
      const path = `/dashboard/messages/${encodeURIComponent(id)}`;
      let {data: message} = await this.api.patch(path, {status});
      if (!message?.id) message = (await this.api.get(path)).data;
      await this.changed(message);
    } catch (error) {
      this.hooks.onError(error, (message) => this.showError(message));
    }
  }

  async remove(id) {
    this.showError('');
    try {
      await this.api.delete(`/dashboard/messages/${encodeURIComponent(id)}`);
      this.close();
      this.rows.querySelector(`tr[data-id="${CSS.escape(id)}"]`)?.remove();
      this.hooks.onChanged();
      await this.load();
    } catch (error) {
      this.hooks.onError(error, (message) => this.showError(message));
    }
  }
}

