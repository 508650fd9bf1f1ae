// A form as a plain HTML <form>, described once and drawn two ways: as HTML
// text (the dashboard's copy-paste snippet, js/admin/forms.js) and as DOM
// nodes (form.html, js/form-page.js). Either posts to POST /forms/{id} with
// no script at all: every field has its name, type and limits, the honeypot
// `_gotcha` is there, and `_next` names the thank-you page.
//
// A node is [tag, attributes, ...children]; a child is a node or text.
// ['#comment', text] is a comment (in the HTML text only).

import {el} from './dom.js';

export const HONEYPOT = '_gotcha';
// The range every number field has anyway (chalicelib/forms/model.py); the
// schema names it where the form names none, and the markup leaves it out.
const NUMBER_LIMIT = 1e15;
const INPUT_TYPES = new Set(['text', 'email', 'tel', 'url', 'number', 'date']);
const AUTOCOMPLETE = {email: 'email', tel: 'tel', url: 'url'};

/**
 * @typedef {{name: string, label: string, type: string, required?: boolean, maxLength?: number,
 *            min?: number, max?: number, options?: string[], maxFiles?: number, maxBytes?: number,
 *            accept?: string[]}} Field
 * @typedef {{formId: string, name: string, fields: Field[], captcha?: boolean}} Form
 * @param {Form} form
 * @param {{action: string, next?: string, page?: boolean,
 *          captcha?: {className: string, siteKey: string, script: string}|null}} options
 *   page: form.html's markup (error slots, the site's own classes) rather than the snippet's.
 */
export function formTree(form, {action, next, page = false, captcha = null}) {
  const id = (name) => `${form.formId}-${name}`;
  const children = [];
  if (next) children.push(['input', {type: 'hidden', name: '_next', value: next}]);
  for (const field of form.fields) children.push(fieldTree(field, id(field.name), page));
  if (!page) children.push(['#comment', ' The honeypot: hidden from people and screen readers; bots fill it in. ']);
  children.push(['div', page ? {class: 'hp', 'aria-hidden': 'true'} : {hidden: true, 'aria-hidden': 'true'},
    ['label', {for: id('gotcha')}, 'Leave this field empty'],
    ['input', {id: id('gotcha'), name: HONEYPOT, type: 'text', tabindex: '-1', autocomplete: 'off'}]]);
  if (form.captcha && captcha) {
    children.push(['div', {class: captcha.className, 'data-sitekey': captcha.siteKey}]);
    if (!page) children.push(['script', {src: captcha.script, async: true, defer: true}]);
  }
  if (page) children.push(['p', {class: 'form-error', id: id('form-error'), role: 'alert', hidden: true}]);
  children.push(['button', {type: 'submit'}, 'Send']);
  return ['form', {method: 'post', action, ...(page ? {id: 'form', 'data-form': form.formId} : {})},
    ...children];
}

// Each safe type's extension, as a file field's limits show them (chalicelib/attachments/types.py).
export const EXTENSIONS = {
  'image/png': '.png', 'image/jpeg': '.jpg', 'image/gif': '.gif', 'image/webp': '.webp',
  'application/pdf': '.pdf', 'text/plain': '.txt',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': '.xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': '.pptx',
  'application/vnd.oasis.opendocument.text': '.odt',
  'application/vnd.oasis.opendocument.spreadsheet': '.ods',
  'application/vnd.oasis.opendocument.presentation': '.odp',
};

/** "Up to 2 files (.pdf or .txt), 100 KB each" */
export function fileLimits(field) {
  const count = field.maxFiles ?? 1;
  const types = (field.accept ?? Object.keys(EXTENSIONS)).map((type) => EXTENSIONS[type] ?? type);
  const kinds = types.length > 1 ? `${types.slice(0, -1).join(', ')} or ${types.at(-1)}` : types[0];
  const size = megabytes(field.maxBytes ?? 10 * 1024 * 1024);
  return count === 1 ? `One file (${kinds}), at most ${size}.`
    : `Up to ${count} files (${kinds}), at most ${size} each.`;
}

export function megabytes(bytes) {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

function fieldTree(field, id, page) {
  if (field.type === 'file') return fileFieldTree(field, id, page);
  const control = controlTree(field, id);
  if (page) control[1]['aria-describedby'] = `${id}-error`;
  const label = ['label', {for: id}, field.label];
  if (page) label.push(field.required ? ['span', {class: 'req', 'aria-hidden': 'true'}, ' *']
    : ['span', {class: 'optional'}, ' (optional)']);
  const parts = field.type === 'checkbox' ? [control, label] : [label, control];
  if (page) parts.push(['p', {class: 'error', id: `${id}-error`, role: 'alert', hidden: true}]);
  return ['div', page ? {class: field.type === 'checkbox' ? 'field checkbox' : 'field', 'data-field': field.name} : {},
    ...parts];
}

// A file goes to the attachments bucket through a presigned POST only a
// script can ask for (docs/attachments.md): form.html draws the input and
// uploads; the snippet, which works without a script, says where to go.
function fileFieldTree(field, id, page) {
  if (!page) {
    return ['p', {}, `${field.label}: attaching files needs JavaScript. Link to this form's page `
      + `on the site (form.html?form=…) instead of this snippet if it must take files.`];
  }
  const control = ['input', {id, name: field.name, type: 'file', required: Boolean(field.required),
    accept: (field.accept ?? Object.keys(EXTENSIONS)).join(','), multiple: (field.maxFiles ?? 1) > 1,
    'aria-describedby': `${id}-limits ${id}-error`}];
  const label = ['label', {for: id}, field.label, field.required
    ? ['span', {class: 'req', 'aria-hidden': 'true'}, ' *'] : ['span', {class: 'optional'}, ' (optional)']];
  return ['div', {class: 'field file-field', 'data-field': field.name}, label, control,
    ['p', {class: 'file-limits', id: `${id}-limits`}, fileLimits(field)],
    ['ul', {class: 'file-list', id: `${id}-files`, 'aria-live': 'polite'}],
    ['p', {class: 'error', id: `${id}-error`, role: 'alert', hidden: true}]];
}

function controlTree(field, id) {
  const [tag, attrs, ...children] = bareControl(field, id);
  return [tag, {...attrs, required: Boolean(field.required)}, ...children];
}

function bareControl(field, id) {
  const named = {id, name: field.name};
  const maxlength = field.maxLength ?? null;
  switch (field.type) {
    case 'textarea':
      return ['textarea', {...named, rows: '6', maxlength}];
    case 'select':
      return ['select', named, ['option', {value: ''}, 'Choose…'],
        ...(field.options ?? []).map((option) => ['option', {value: option}, option])];
    case 'checkbox':
      return ['input', {...named, type: 'checkbox', value: 'on'}];
    case 'number':
      return ['input', {...named, type: 'number', step: 'any', inputmode: 'decimal',
        min: bound(field.min), max: bound(field.max)}];
    default: {
      const type = INPUT_TYPES.has(field.type) ? field.type : 'text';
      return ['input', {...named, type, maxlength, autocomplete: AUTOCOMPLETE[type] ?? null}];
    }
  }
}

function bound(value) {
  return typeof value === 'number' && Math.abs(value) < NUMBER_LIMIT ? String(value) : null;
}

const VOID = new Set(['input']);
const TEXT_ESCAPES = {'&': '&amp;', '<': '&lt;', '>': '&gt;'};
const ATTR_ESCAPES = {...TEXT_ESCAPES, '"': '&quot;'};

export function escapeText(value) {
  return String(value).replace(/[&<>]/g, (c) => TEXT_ESCAPES[c]);
}

export function escapeAttribute(value) {
  return String(value).replace(/[&<>"]/g, (c) => ATTR_ESCAPES[c]);
}

/** The node as indented HTML text; every value escaped. */
export function toHtml(node, indent = '') {
  if (typeof node === 'string') return indent + escapeText(node);
  const [tag, attrs, ...children] = node;
  // A comment's text is ours, never a value from a form.
  if (tag === '#comment') return `${indent}<!--${node[1]}-->`;
  const open = `<${tag}${attributes(attrs)}>`;
  if (VOID.has(tag)) return indent + open;
  if (children.every((child) => typeof child === 'string')) {
    return `${indent}${open}${children.map(escapeText).join('')}</${tag}>`;
  }
  const inner = children.map((child) => toHtml(child, `${indent}  `)).join('\n');
  return `${indent}${open}\n${inner}\n${indent}</${tag}>`;
}

function attributes(attrs) {
  return Object.entries(attrs ?? {}).map(([name, value]) => {
    if (value === false || value === null || value === undefined) return '';
    return value === true ? ` ${name}` : ` ${name}="${escapeAttribute(value)}"`;
  }).join('');
}

/** The node as DOM nodes (comments left out). */
export function toDom(node) {
  if (typeof node === 'string') return document.createTextNode(node);
  const [tag, attrs, ...children] = node;
  if (tag === '#comment') return null;
  return el(tag, {attrs}, ...children.map(toDom));
}

/**
 * A form from its public JSON Schema (GET /forms/{id}/schema, chalicelib/forms/schema.py):
 * `properties` in the form's order, each with its `title` (the label) and `x-fieldType`.
 */
export function formFromSchema(formId, schema) {
  const required = new Set(schema?.required ?? []);
  return {
    formId,
    name: typeof schema?.title === 'string' ? schema.title : formId,
    captcha: schema?.['x-captcha'] === true,
    fields: Object.entries(schema?.properties ?? {}).map(([name, property]) => ({
      name,
      label: typeof property.title === 'string' ? property.title : name,
      type: property['x-fieldType'] ?? typeOf(property),
      required: required.has(name),
      maxLength: property.maxLength,
      min: property.minimum,
      max: property.maximum,
      options: property.enum,
      maxFiles: property['x-fieldType'] === 'file' ? property.maxItems : undefined,
      maxBytes: property['x-maxBytes'],
      accept: property['x-accept'],
    })),
  };
}

// A schema without x-fieldType (an older API): the nearest input for its keywords.
function typeOf(property) {
  if (property.type === 'boolean') return 'checkbox';
  if (property.type === 'number') return 'number';
  if (Array.isArray(property.enum)) return 'select';
  return {email: 'email', uri: 'url', date: 'date'}[property.format] ?? 'text';
}
