// The form editor: one <form> for creating a form and editing one. A save is
// one PUT /dashboard/forms/{id} of the whole definition: with If-Match (the
// ETag the editor read) when editing, so a form someone changed meanwhile is
// never overwritten (412), and with If-None-Match: * when creating, so an id
// already taken is never replaced. The API judges the definition; its 400
// `details` name paths (`fields[2].options`, `autoresponse.body`), and every
// input here carries its path in data-path, so each problem shows beside
// its input.

import {$, el, replace} from '../dom.js';
import {ApiError} from '../api.js';

const TYPES = [
  ['text', 'Text (one line)'], ['textarea', 'Text (several lines)'], ['email', 'Email'],
  ['tel', 'Phone'], ['url', 'Web address'], ['number', 'Number'], ['date', 'Date'],
  ['select', 'Choice from a list'], ['checkbox', 'Checkbox'], ['file', 'Files (attachments)']];
const TEXT_TYPES = new Set(['text', 'textarea', 'email', 'tel', 'url']);
const MAX_FIELDS = 30;
// The properties each type may have besides name, label, type and required.
const PROPERTIES = {maxLength: (type) => TEXT_TYPES.has(type), min: (type) => type === 'number',
  max: (type) => type === 'number', options: (type) => type === 'select',
  maxFiles: (type) => type === 'file', maxBytes: (type) => type === 'file',
  accept: (type) => type === 'file'};
const MIB = 1024 * 1024;

export const STALE_MESSAGE = 'This form was changed since you opened it, so your changes were not saved. '
  + 'Load the latest version, then make your changes again.';
export const TAKEN_MESSAGE = 'A form with this id already exists: choose another id, or edit that form.';

export class FormEditor {
  /**
   * @param {ReturnType<import('../api.js').createApi>} api
   * @param {{onSaved: (form: any) => void, onError: Function}} hooks
   */
  constructor(api, hooks) {
    this.api = api;
    this.hooks = hooks;
    this.form = $('#form-editor');
    this.rows = $('#form-fields');
    this.editing = null;  // {id, etag, builtIn} while editing; null while creating
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.save();
    });
    $('#form-field-add').addEventListener('click', () => {
      const row = this.addRow({name: '', label: '', type: 'text'});
      $('[data-prop="name"]', row).focus();
    });
    $('#form-cancel').addEventListener('click', () => this.close());
    $('#form-reload-latest').addEventListener('click', () => this.edit(this.editing.id));
    $('#form-auto-on').addEventListener('change', () => this.showAutoresponse());
    // The Reply-To choice follows the email fields as they are edited.
    this.rows.addEventListener('input', () => this.refreshReplyTo());
    this.rows.addEventListener('change', () => this.refreshReplyTo());
  }

  get isOpen() {
    return !this.form.hidden;
  }

  create() {
    this.editing = null;
    this.fill({name: '', fields: [{name: 'email', label: 'Email', type: 'email', required: true}],
      recipients: [], replyTo: 'email', extraFields: 'reject', captcha: false, autoresponse: null});
    $('#form-editor-title').textContent = 'New form';
    $('#form-id').value = '';
    $('#form-id').disabled = false;
    this.open();
    $('#form-id').focus();
  }

  async edit(id) {
    // The form itself, fetched now: its ETag names the version the edit starts from.
    const {data, etag} = await this.api.get(`/dashboard/forms/${encodeURIComponent(id)}`);
    this.editing = {id, etag, builtIn: Boolean(data.builtIn)};
    this.fill(data);
    $('#form-editor-title').textContent = `Edit ${data.name}`;
    $('#form-id').value = id;
    $('#form-id').disabled = true;  // an id is a form's address: it never changes
    this.open();
    $('#form-name').focus();
  }

  open() {
    this.form.hidden = false;
    this.form.scrollIntoView?.({block: 'start'});
  }

  close() {
    this.editing = null;
    this.clearErrors();
    this.form.hidden = true;
  }

  fill(form) {
    this.clearErrors();
    const builtIn = Boolean(this.editing?.builtIn);
    this.form.classList.toggle('built-in', builtIn);
    $('#form-name').value = form.name ?? '';
    replace(this.rows);
    for (const field of form.fields ?? []) this.addRow(field);
    $('#form-recipients').value = (form.recipients ?? []).join('\n');
    $('#form-extra').value = form.extraFields ?? 'reject';
    $('#form-captcha').checked = Boolean(form.captcha);
    $('#form-retention').value = form.retentionDays ?? '';
    $('#form-auto-on').checked = Boolean(form.autoresponse);
    $('#form-auto-subject').value = form.autoresponse?.subject ?? '';
    $('#form-auto-body').value = form.autoresponse?.body ?? '';
    this.showAutoresponse();
    this.refreshReplyTo(form.replyTo ?? '');
    // The contact form keeps POST /contact's contract: only labels change in its fields.
    for (const control of [$('#form-field-add'), $('#form-replyto'), $('#form-extra')]) control.disabled = builtIn;
    const hint = $('#form-fields-hint');
    hint.textContent = builtIn
      ? 'The contact form\'s fields are those of POST /contact: only their labels can change.'
      : 'In the order the form shows them; at most 30.';
  }

  addRow(field) {
    const builtIn = Boolean(this.editing?.builtIn);
    const row = el('li', {className: 'field-row'});
    const input = (prop, label, attrs, value, tag = 'input') => {
      const control = el(tag, {attrs: {...attrs, 'data-prop': prop}});
      if (attrs.type === 'checkbox') control.checked = Boolean(value);
      else control.value = value ?? '';
      return this.part(prop, label, control);
    };
    const type = el('select', {attrs: {'data-prop': 'type'}},
      ...TYPES.map(([value, text]) => el('option', {attrs: {value}, text})));
    type.value = field.type ?? 'text';
    type.addEventListener('change', () => this.showProperties(row));
    const moves = el('div', {className: 'row-actions'},
      this.rowButton('Move up', () => this.move(row, -1)),
      this.rowButton('Move down', () => this.move(row, 1)),
      this.rowButton('Remove', () => this.removeRow(row)));
    row.append(
      el('div', {className: 'field-grid'},
        input('name', 'Name', {type: 'text', maxlength: 40, spellcheck: 'false', autocomplete: 'off'}, field.name),
        input('label', 'Label', {type: 'text', maxlength: 100}, field.label),
        this.part('type', 'Type', type),
        input('required', 'Required', {type: 'checkbox'}, field.required),
        input('maxLength', 'Longest', {type: 'number', min: 1, max: 5000, step: 1}, field.maxLength),
        input('min', 'Smallest', {type: 'number', step: 'any'}, field.min),
        input('max', 'Largest', {type: 'number', step: 'any'}, field.max),
        input('options', 'Options (one per line)', {rows: 3}, (field.options ?? []).join('\n'),
          'textarea'),
        input('maxFiles', 'Most files (1 to 5)', {type: 'number', min: 1, max: 5, step: 1}, field.maxFiles),
        input('maxBytes', 'Largest file, MiB (up to 10)', {type: 'number', min: 0.01, max: 10, step: 'any'},
          field.maxBytes === undefined ? undefined : +(field.maxBytes / MIB).toFixed(2)),
        input('accept', 'Types taken (one per line; empty: every safe type)', {rows: 3},
          (field.accept ?? []).join('\n'), 'textarea')),
      el('p', {className: 'error row-error', attrs: {role: 'alert', hidden: true}}),
      builtIn ? null : moves);
    if (builtIn) {
      for (const control of row.querySelectorAll('[data-prop]')) {
        if (control.dataset.prop !== 'label') control.disabled = true;
      }
    }
    this.rows.append(row);
    this.renumber();
    this.showProperties(row);
    return row;
  }

  /** One labelled input of a field row, with its own error line. */
  part(prop, label, control) {
    const wrapper = el('div', {className: `part part-${prop}`, dataset: {part: prop}});
    if (control.type === 'checkbox') wrapper.append(control, el('label', {text: label}));
    else wrapper.append(el('label', {text: label}), control);
    wrapper.append(el('p', {className: 'error', attrs: {role: 'alert', hidden: true}}));
    return wrapper;
  }

  rowButton(label, handler) {
    return el('button', {className: 'link', text: label, attrs: {type: 'button'}, on: {click: handler}});
  }

  /** Each row's paths and ids follow its place in the list. */
  renumber() {
    [...this.rows.children].forEach((row, index) => {
      row.dataset.path = `fields[${index}]`;
      row.dataset.label = `Field ${index + 1}`;
      for (const wrapper of row.querySelectorAll('[data-part]')) {
        const prop = wrapper.dataset.part;
        const id = `form-field-${index}-${prop}`;
        const control = wrapper.querySelector('[data-prop]');
        const error = wrapper.querySelector('.error');
        wrapper.dataset.path = `fields[${index}].${prop}`;
        wrapper.dataset.label = labelOf(wrapper);
        control.id = id;
        error.id = `${id}-error`;
        control.setAttribute('aria-describedby', error.id);
        wrapper.querySelector('label').htmlFor = id;
      }
      const up = row.querySelector('.row-actions button:first-child');
      const down = row.querySelector('.row-actions button:nth-child(2)');
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === this.rows.children.length - 1;
      for (const button of row.querySelectorAll('.row-actions button')) {
        button.setAttribute('aria-label', `${button.textContent} field ${index + 1}`);
      }
    });
    $('#form-field-add').disabled = Boolean(this.editing?.builtIn) || this.rows.children.length >= MAX_FIELDS;
  }

  showProperties(row) {
    const type = $('[data-prop="type"]', row).value;
    for (const [prop, applies] of Object.entries(PROPERTIES)) {
      $(`[data-part="${prop}"]`, row).hidden = !applies(type);
    }
  }

  move(row, step) {
    const sibling = step < 0 ? row.previousElementSibling : row.nextElementSibling;
    if (!sibling) return;
    if (step < 0) sibling.before(row);
    else sibling.after(row);
    this.renumber();
    this.refreshReplyTo();
    // Keep the focus on the button that moved, where it is now.
    const button = row.querySelector(`.row-actions button:nth-child(${step < 0 ? 1 : 2})`);
    (button.disabled ? $('[data-prop="name"]', row) : button).focus();
  }

  removeRow(row) {
    const next = row.nextElementSibling ?? row.previousElementSibling;
    row.remove();
    this.renumber();
    this.refreshReplyTo();
    (next ? $('[data-prop="name"]', next) : $('#form-field-add')).focus();
  }

  showAutoresponse() {
    $('#form-auto-parts').hidden = !$('#form-auto-on').checked;
  }

  /** The Reply-To choices: none, or any email field with a name. */
  refreshReplyTo(selected = $('#form-replyto').value) {
    const emails = this.readFields().filter((f) => f.type === 'email' && f.name).map((f) => f.name);
    const select = $('#form-replyto');
    replace(select, el('option', {attrs: {value: ''}, text: 'None'}),
      ...emails.map((name) => el('option', {attrs: {value: name}, text: name})));
    // A name no longer among the email fields stays chosen, so the API names the problem.
    if (selected && !emails.includes(selected)) select.append(el('option', {attrs: {value: selected}, text: selected}));
    select.value = selected ?? '';
  }

  readFields() {
    return [...this.rows.children].map((row) => {
      const value = (prop) => $(`[data-prop="${prop}"]`, row);
      const type = value('type').value;
      const field = {name: value('name').value.trim(), label: value('label').value.trim(), type,
        required: value('required').checked};
      if (PROPERTIES.maxLength(type)) setNumber(field, 'maxLength', value('maxLength').value);
      if (PROPERTIES.min(type)) setNumber(field, 'min', value('min').value);
      if (PROPERTIES.max(type)) setNumber(field, 'max', value('max').value);
      if (PROPERTIES.maxFiles(type)) setNumber(field, 'maxFiles', value('maxFiles').value);
      if (PROPERTIES.maxBytes(type) && value('maxBytes').value.trim() !== '') {
        field.maxBytes = Math.round(Number(value('maxBytes').value) * MIB);
      }
      if (PROPERTIES.accept(type)) {
        const accept = value('accept').value.split('\n').map((line) => line.trim()).filter(Boolean);
        if (accept.length) field.accept = accept;
      }
      if (PROPERTIES.options(type)) {
        const options = value('options').value.split('\n').map((line) => line.trim()).filter(Boolean);
        if (options.length) field.options = options;
      }
      return field;
    });
  }

  read() {
    const body = {
      name: $('#form-name').value.trim(),
      fields: this.readFields(),
      recipients: $('#form-recipients').value.split(/[\n,;]/).map((line) => line.trim()).filter(Boolean),
      replyTo: $('#form-replyto').value || null,
      extraFields: $('#form-extra').value,
      captcha: $('#form-captcha').checked,
      autoresponse: null,
      // Empty: the stage's retentionDays. Sent as typed: the API says what is wrong with it.
      retentionDays: $('#form-retention').value.trim() === '' ? null : Number($('#form-retention').value),
    };
    if ($('#form-auto-on').checked) {
      body.autoresponse = {subject: $('#form-auto-subject').value.trim(), body: $('#form-auto-body').value};
    }
    return body;
  }

  async save() {
    this.clearErrors();
    const id = this.editing?.id ?? $('#form-id').value.trim();
    if (!id) {
      this.placeError('formId', 'is required');
      return;
    }
    const button = $('#form-save');
    button.disabled = true;
    try {
      const headers = this.editing ? {'If-Match': this.editing.etag} : {'If-None-Match': '*'};
      const {data} = await this.api.put(`/dashboard/forms/${encodeURIComponent(id)}`, this.read(), {headers});
      this.close();
      this.hooks.onSaved(data);
    } catch (error) {
      this.showError(error);
    } finally {
      button.disabled = false;
    }
  }

  showError(error) {
    if (!(error instanceof ApiError)) {
      this.formError('Something went wrong. Please try again.');
      return;
    }
    if (error.status === 412 && this.editing) {
      const notice = $('#form-editor-notice');
      notice.textContent = STALE_MESSAGE;
      notice.hidden = false;
      $('#form-reload-latest').hidden = false;
      notice.scrollIntoView?.({block: 'nearest'});
      return;
    }
    if (error.status === 412) {
      this.placeError('formId', TAKEN_MESSAGE, {asIs: true});
      return;
    }
    if (error.status === 409) {
      this.formError(`${error.message} A site has at most 50 forms, the contact form included: `
        + 'delete one you no longer use first.');
      return;
    }
    if (error.status === 404 && this.editing) {
      this.formError('This form no longer exists: someone deleted it. Save it under a new id, or cancel.');
      return;
    }
    if (error.details.length) {
      const unplaced = error.details.filter(({field, message}) => !this.placeError(field ?? '', message));
      this.formError(unplaced.length
        ? unplaced.map(({field, message}) => (field ? `${field} ${message}` : message)).join(' ')
        : 'Please correct the fields marked above.');
      this.form.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    this.hooks.onError(error, (message) => this.formError(message));
  }

  /**
   * Show `message` beside the input whose data-path is `path`, or the nearest
   * one holding it (`fields[2].options[1]` → the options of field 3, "Line 2 …").
   * @returns {boolean} whether it found a place
   */
  placeError(path, message, {asIs = false} = {}) {
    let prefix = '';
    let current = path;
    while (current) {
      const holder = this.form.querySelector(`[data-path="${CSS.escape(current)}"]`);
      if (holder && !holder.hidden) {
        const box = holder.querySelector(':scope > .error');
        if (box) {
          const subject = prefix || (holder.dataset.label ?? labelOf(holder));
          const text = asIs ? message : `${subject} ${message}`;
          box.textContent = box.textContent ? `${box.textContent} ${text}` : text;
          box.hidden = false;
          const control = holder.querySelector(':scope > input, :scope > select, :scope > textarea');
          control?.setAttribute('aria-invalid', 'true');
          return true;
        }
      }
      const index = /\[(\d+)\]$/.exec(current);
      if (index && !prefix) prefix = `Line ${Number(index[1]) + 1}`;
      current = current.replace(/(\[\d+\]|\.[^.[\]]+)$/, '');
      if (current === path) break;
    }
    return false;
  }

  clearErrors() {
    for (const box of this.form.querySelectorAll('.error')) {
      box.textContent = '';
      box.hidden = true;
    }
    for (const control of this.form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
    for (const id of ['#form-editor-error', '#form-editor-notice']) {
      $(id).textContent = '';
      $(id).hidden = true;
    }
    $('#form-reload-latest').hidden = true;
  }

  formError(message) {
    const box = $('#form-editor-error');
    box.textContent = message;
    box.hidden = !message;
  }
}

// A number when it is one; otherwise the text, so the API names the problem.
function setNumber(field, prop, raw) {
  const text = raw.trim();
  if (text === '') return;
  const number = Number(text);
  field[prop] = Number.isFinite(number) ? number : text;
}

function labelOf(holder) {
  const label = holder.querySelector('label, legend');
  return (label?.textContent ?? '').replace(/\s*\([^)]*\)\s*$/, '').trim();
}
