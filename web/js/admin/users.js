// The users panel: a paged list, and one form for creating and editing.
// An edit sends If-Match with the ETag of the version the form was filled
// from; a 412 means someone changed the user since, and the form says so.

import {$, el, emailParts, formatDate, replace} from '../dom.js';
import {ApiError, newIdempotencyKey} from '../api.js';
import {ExportNote, downloadCsv} from './export.js';
import {Pager} from './pager.js';

const PAGE_SIZE = 10;
const FIELDS = ['name', 'email', 'age'];
export const KEY_USED_MESSAGE = 'An earlier attempt of this form may already have created a user with other details. '
  + 'Check the list, then save again to create a new user.';
export const STALE_MESSAGE = 'Someone else changed this user after you opened it, so your changes were not saved. '
  + 'Load the latest version, then make your changes again.';

export class UsersPanel {
  /** @param {ReturnType<import('../api.js').createApi>} api */
  constructor(api, hooks) {
    this.api = api;
    this.hooks = hooks;
    this.rows = $('#users-rows');
    this.form = $('#user-form');
    this.errorBox = $('#users-error');
    this.exportNote = new ExportNote($('#users-export-status'));
    this.pager = new Pager($('#users-pager'), () => this.load());
    this.editing = null;  // {id, etag, user} while editing; null while creating
    // One Idempotency-Key per user creation: a retried save (after a timeout
    // or a lost answer) reuses it, so the API answers it without creating twice.
    this.createKey = null;
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.save();
    });
    $('#user-new').addEventListener('click', () => this.startCreate());
    $('#user-cancel').addEventListener('click', () => this.closeForm());
    $('#users-export').addEventListener('click', () => this.exportCsv());
    $('#user-reload-latest').addEventListener('click', () => this.startEdit(this.editing.id));
    $('#users-reload').addEventListener('click', () => this.load());
  }

  showError(message) {
    this.errorBox.textContent = message;
    this.errorBox.hidden = !message;
  }

  async exportCsv() {
    const button = $('#users-export');
    button.disabled = true;
    this.exportNote.working();
    try {
      await downloadCsv(this.api, '/users/export', {}, 'users.csv');
      this.exportNote.done();
    } catch (error) {
      this.exportNote.clear();
      this.hooks.onError(error, (message) => this.showError(message));
    } finally {
      button.disabled = false;
    }
  }

  async load() {
    this.showError('');
    try {
      const {data} = await this.api.get('/users', {query: {limit: PAGE_SIZE, cursor: this.pager.cursor}});
      const items = data?.items ?? [];
      replace(this.rows, ...items.map((user) => this.row(user)));
      $('#users-empty').hidden = items.length > 0;
      this.pager.loaded(data?.nextCursor);
    } catch (error) {
      this.hooks.onError(error, (message) => this.showError(message));
    }
  }

  row(user) {
    const actions = el('div', {className: 'row-actions'});
    const button = (label, handler, kind = 'link') => el('button', {
      className: kind, text: label, attrs: {type: 'button', 'aria-label': `${label} ${user.email}`},
      on: {click: handler}});
    const showDefault = () => replace(actions,
      button('Edit', () => this.startEdit(user.id)),
      button('Delete', () => replace(actions,
        el('span', {className: 'confirm', text: 'Delete?'}),
        button('Yes, delete', () => this.remove(user.id), 'danger small'),
        button('Keep', showDefault, 'secondary small'))));
    showDefault();
    return el('tr', {dataset: {id: user.id, email: user.email}},
      el('td', {className: 'user-name', text: user.name}),
      el('td', {className: 'user-email'}, ...emailParts(user.email)),
      el('td', {className: 'user-age', text: user.age ?? ''}),
      el('td', {attrs: {title: user.createdAt ?? ''}, text: formatDate(user.createdAt)}),
      el('td', {}, actions));
  }

  clearFormErrors() {
    for (const field of FIELDS) this.fieldError(field, []);
    for (const id of ['#user-form-error', '#user-form-notice']) {
      const box = $(id);
      box.textContent = '';
      box.hidden = true;
    }
    $('#user-reload-latest').hidden = true;
  }

  fieldError(field, messages) {
    const box = document.getElementById(`user-${field}-error`);
    if (!box) return false;
    box.textContent = messages.join(' ');
    box.hidden = messages.length === 0;
    // aria-invalid="" reads as false: set "true" or remove it.
    const input = document.getElementById(`user-${field}`);
    if (messages.length) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    return true;
  }

  formError(message) {
    const box = $('#user-form-error');
    box.textContent = message;
    box.hidden = !message;
  }

  fill(user) {
    $('#user-name').value = user?.name ?? '';
    $('#user-email').value = user?.email ?? '';
    $('#user-age').value = user?.age ?? '';
  }

  startCreate() {
    this.editing = null;
    this.createKey = newIdempotencyKey();
    this.clearFormErrors();
    this.fill(null);
    $('#user-form-title').textContent = 'New user';
    this.form.hidden = false;
    $('#user-name').focus();
  }

  async startEdit(id) {
    this.showError('');
    try {
      // Fetch the user itself: its ETag names the version the edit starts from.
      const {data, etag} = await this.api.get(`/users/${encodeURIComponent(id)}`);
      this.editing = {id, etag, user: data};
      this.clearFormErrors();
      this.fill(data);
      $('#user-form-title').textContent = `Edit ${data.email}`;
      this.form.hidden = false;
      $('#user-name').focus();
    } catch (error) {
      this.hooks.onError(error, (message) => this.showError(message));
    }
  }

  closeForm() {
    this.editing = null;
    this.clearFormErrors();
    this.form.hidden = true;
  }

  readForm() {
    const body = {name: $('#user-name').value.trim(), email: $('#user-email').value.trim()};
    const age = $('#user-age').value.trim();
    // A number when it is one; otherwise the text, so the API names the problem.
    body.age = age === '' ? null : (/^-?\d+$/.test(age) ? Number(age) : age);
    return body;
  }

  async save() {
    this.clearFormErrors();
    const body = this.readForm();
    const button = $('#user-save');
    button.disabled = true;
    try {
      if (this.editing) await this.update(body);
      else await this.create(body);
    } finally {
      button.disabled = false;
    }
  }

  async create(body) {
    if (body.age === null) delete body.age;
    try {
      await this.api.post('/users', body, {headers: {'Idempotency-Key': this.createKey}});
      this.closeForm();
      this.pager.reset();
      await this.load();
      this.hooks.onChanged();
    } catch (error) {
      this.showFormError(error);
    }
  }

  async update(body) {
    const {id, etag, user} = this.editing;
    // Send only what changed: a PATCH is a partial update, and "age": null removes it.
    const changes = {};
    for (const field of FIELDS) {
      if ((body[field] ?? null) !== (user[field] ?? null)) changes[field] = body[field];
    }
    if (Object.keys(changes).length === 0) {
      this.closeForm();
      return;
    }
    try {
      await this.api.patch(`/users/${encodeURIComponent(id)}`, changes, {headers: {'If-Match': etag}});
      this.closeForm();
      await this.load();
    } catch (error) {
      this.showFormError(error);
    }
  }

  showFormError(error) {
    if (!(error instanceof ApiError)) {
      this.formError('Something went wrong. Please try again.');
      return;
    }
    if (error.status === 412) {
      const notice = $('#user-form-notice');
      notice.textContent = STALE_MESSAGE;
      notice.hidden = false;
      $('#user-reload-latest').hidden = false;
      this.load();  // the list shows the version that won, too
      return;
    }
    if (error.status === 409 && error.fieldErrors()['Idempotency-Key']) {
      this.createKey = newIdempotencyKey();  // the next save is a new creation
      this.formError(KEY_USED_MESSAGE);
      this.load();
      return;
    }
    if (error.status === 409) {
      this.fieldError('email', [error.message || 'This email is already in use.']);
      return;
    }
    if (error.status === 404 && this.editing) {
      this.formError('This user no longer exists.');
      return;
    }
    if (error.details.length) {
      const unplaced = [];
      for (const [field, messages] of Object.entries(error.fieldErrors())) {
        if (!this.fieldError(field, messages)) unplaced.push(...messages);
      }
      this.formError(unplaced.length ? unplaced.join(' ') : 'Please correct the fields marked above.');
      return;
    }
    this.hooks.onError(error, (message) => this.formError(message));
  }

  async remove(id) {
    this.showError('');
    try {
      await this.api.delete(`/users/${encodeURIComponent(id)}`);
      if (this.editing?.id === id) this.closeForm();
      await this.load();
      this.hooks.onChanged();
    } catch (error) {
      this.hooks.onError(error, (message) => this.showError(message));
    }
  }
}
