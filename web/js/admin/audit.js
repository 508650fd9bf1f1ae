// The audit log panel: every admin write, newest first, a page at a time.
// Filtered by action (the select) and by actor (click an actor in a row;
// "Every actor" clears it). Read-only: the API has no route that changes an entry.

import {$, el, emailParts, formatDate, replace} from '../dom.js';
import {Pager} from './pager.js';

const PAGE_SIZE = 25;

export class AuditPanel {
  /** @param {ReturnType<import('../api.js').createApi>} api */
  constructor(api, hooks) {
    this.api = api;
    this.hooks = hooks;
    this.rows = $('#audit-rows');
    this.errorBox = $('#audit-error');
    this.actionSelect = $('#audit-action');
    this.actor = null;  // {sub, label} while filtering by one actor
    this.pager = new Pager($('#audit-pager'), () => this.load());
    this.actionSelect.addEventListener('change', () => this.refilter());
    $('#audit-actor-clear').addEventListener('click', () => this.filterByActor(null));
    $('#audit-reload').addEventListener('click', () => this.load());
  }

  showError(message) {
    this.errorBox.textContent = message;
    this.errorBox.hidden = !message;
  }

  refilter() {
    this.pager.reset();
    return this.load();
  }

  filterByActor(actor) {
    this.actor = actor;
    $('#audit-actor').hidden = !actor;
    $('#audit-actor-name').textContent = actor?.label ?? '';
    return this.refilter();
  }

  async load() {
    this.showError('');
    const query = {limit: PAGE_SIZE, cursor: this.pager.cursor};
    if (this.actionSelect.value) query.action = this.actionSelect.value;
    if (this.actor) query.actor = this.actor.sub;
    try {
      const {data} = await this.api.get('/dashboard/audit', {query});
      const items = data?.items ?? [];
      replace(this.rows, ...items.map((entry) => this.row(entry)));
      $('#audit-empty').hidden = items.length > 0;
      this.pager.loaded(data?.nextCursor);
    } catch (error) {
      this.hooks.onError(error, (message) => this.showError(message));
    }
  }

  row(entry) {
    const label = entry.actor.email ?? entry.actor.sub;
    const actor = el('button', {
      className: 'link', attrs: {type: 'button', title: `Only ${label}'s changes`},
      on: {click: () => this.filterByActor({sub: entry.actor.sub, label})}},
      ...emailParts(label));
    const action = el('button', {
      className: 'link', text: entry.action,
      attrs: {type: 'button', title: `Only ${entry.action}`},
      on: {click: () => {
        this.actionSelect.value = entry.action;
        this.refilter();
      }}});
    return el('tr', {dataset: {id: entry.id, action: entry.action}},
      el('td', {attrs: {title: entry.at}, text: formatDate(entry.at)}),
      el('td', {className: 'audit-actor'}, actor),
      el('td', {className: 'audit-action'}, action),
      el('td', {className: 'audit-target'}, el('span', {className: 'muted', text: `${entry.target.type} `}),
        el('code', {text: entry.target.id})),
      el('td', {className: 'audit-summary', attrs: {title: `Request ${entry.requestId}`},
        text: entry.summary}));
  }
}
