// form.html?form=<id>: any form of the site, drawn from its public JSON Schema
// (GET /forms/{id}/schema) as the same plain <form> the dashboard's snippet is
// (js/form-markup.js), then sent as JSON to POST /forms/{id}. The API is the one
// judge of what is valid: its 400 `details` name fields, and each is shown
// beside its field.
//
// Idempotency as on the contact page (js/contact.js): one Idempotency-Key per
// submission, reused when the same content is sent again.
//
// File fields: each file chosen is checked here first (its type and size, the
// field's count), then uploaded at once, straight to the attachments bucket:
// POST /forms/{id}/uploads gives a presigned POST, and the file goes there
// with a progress bar. A file can be removed before sending; the post names
// the uploads' ids (docs/attachments.md). Every refusal is said in plain words
// beside its field.

import {ApiError, createApi, newIdempotencyKey} from './api.js';
import {captchaOf} from './captcha.js';
import {loadConfig} from './config.js';
import {$} from './dom.js';
import {EXTENSIONS, HONEYPOT, formFromSchema, formTree, megabytes, toDom} from './form-markup.js';

const FORM_ID = /^[a-z][a-z0-9-]{0,39}$/;

const status = $('#form-status');
const slot = $('#form-slot');
const success = $('#form-success');

let state = null;  // {api, form, node, captcha, files} once the form is drawn
let attempt = null;  // {key, body}: the last submission sent
let inFlight = null;

function say(message) {
  status.textContent = message;
  status.hidden = !message;
}

async function main() {
  const formId = new URLSearchParams(location.search).get('form') ?? '';
  if (!FORM_ID.test(formId)) {
    say('This page shows one of the site\'s forms, named in its address: form.html?form=<id>.');
    return;
  }
  say('Loading the form…');
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    say(`This site is not configured: ${error.message}`);
    return;
  }
  const api = createApi(config);
  let schema;
  try {
    ({data: schema} = await api.get(`/forms/${encodeURIComponent(formId)}/schema`, {signedIn: false}));
  } catch (error) {
    say(error instanceof ApiError && error.status === 404
      ? 'There is no such form on this site.'
      : `The form could not be loaded. ${error.message}`);
    return;
  }
  const form = formFromSchema(formId, schema);
  const captcha = form.captcha ? captchaOf(config) : null;
  const node = toDom(formTree(form, {
    action: `${config.apiUrl}/forms/${encodeURIComponent(formId)}`,
    next: new URL('thanks.html', document.baseURI).href,
    page: true,
    captcha,
  }));
  document.title = `${form.name} · ${config.siteName}`;
  $('#form-title').textContent = form.name;
  slot.replaceChildren(node);
  say('');
  // The browser would post the form itself; with this script it is sent as JSON
  // and the answer shown in place.
  node.noValidate = true;
  node.addEventListener('submit', submit);
  state = {api, form, node, captcha, files: new Map()};
  for (const field of form.fields.filter((f) => f.type === 'file')) {
    state.files.set(field.name, []);
    fieldParts(field.name).input.addEventListener('change', (event) => chosen(field, event.target));
  }
  if (captcha) {
    const script = document.createElement('script');
    script.src = captcha.script;
    script.async = true;
    document.head.append(script);
  }
}

/** The JSON body: each field's value as typed (a checkbox as true/false); empty ones left out. */
function readForm() {
  const data = new FormData(state.node);
  const body = {};
  for (const field of state.form.fields) {
    if (field.type === 'file') {
      const ids = state.files.get(field.name).filter((f) => f.uploadId).map((f) => f.uploadId);
      if (ids.length) body[field.name] = ids;
      continue;
    }
    if (field.type === 'checkbox') {
      body[field.name] = data.get(field.name) !== null;
      continue;
    }
    const value = String(data.get(field.name) ?? '');
    if (value.trim() !== '') body[field.name] = value;
  }
  const honeypot = String(data.get(HONEYPOT) ?? '');
  if (honeypot) body[HONEYPOT] = honeypot;
  if (state.captcha) body.captchaToken = String(data.get(state.captcha.field) ?? '');
  return body;
}

function fieldParts(name) {
  const id = `${state.form.formId}-${name}`;
  return {input: document.getElementById(id), box: document.getElementById(`${id}-error`)};
}

function clearErrors() {
  for (const field of state.form.fields) {
    const {input, box} = fieldParts(field.name);
    box.textContent = '';
    box.hidden = true;
    input.removeAttribute('aria-invalid');
  }
  formError('');
}

function formError(message) {
  const box = $('.form-error', state.node);
  box.textContent = message;
  box.hidden = !message;
}

function showError(error) {
  if (!(error instanceof ApiError)) {
    formError('Something went wrong. Please try again.');
    return;
  }
  if (error.details.length) {
    const unplaced = [];
    for (const {field, message} of error.details) {
      const definition = state.form.fields.find((f) => f.name === field);
      const {input, box} = definition ? fieldParts(field) : {};
      if (!box) {
        unplaced.push(field ? `${field} ${message}` : message);
        continue;
      }
      const text = `${definition.label} ${message}`;
      box.textContent = box.textContent ? `${box.textContent} ${text}` : text;
      box.hidden = false;
      // aria-invalid="" reads as false: set "true" or remove it.
      input.setAttribute('aria-invalid', 'true');
    }
    formError(unplaced.length ? unplaced.join(' ') : 'Please correct the fields marked above.');
    state.node.querySelector('[aria-invalid="true"]')?.focus();
    return;
  }
  if (error.code === 'captcha_failed') {
    formError('Please confirm that you are not a robot, then send the form again.');
  } else if (error.code === 'rate_limited') {
    formError('You have sent several messages in a short time. Please wait a few minutes and try again.');
  } else {
    formError(error.status === 0 ? error.message : `${error.message} Please try again.`);
  }
}

// -- file fields -------------------------------------------------------------

/** Why the field cannot take `file`, in plain words; null when it can. */
function refusal(field, file) {
  const accept = field.accept ?? Object.keys(EXTENSIONS);
  if (!accept.includes(file.type)) {
    const kind = file.type ? `a ${EXTENSIONS[file.type] ?? file.type} file` : 'a file of unknown kind';
    return `${file.name} cannot be sent: it is ${kind}, and this field takes only `
      + `${accept.map((t) => EXTENSIONS[t] ?? t).join(', ')} files.`;
  }
  const limit = field.maxBytes ?? 10 * 1024 * 1024;
  if (file.size > limit) {
    return `${file.name} cannot be sent: it is ${megabytes(file.size)}, and this field takes files `
      + `of at most ${megabytes(limit)}.`;
  }
  if (file.size === 0) return `${file.name} cannot be sent: it is empty.`;
  return null;
}

function chosen(field, input) {
  const list = state.files.get(field.name);
  for (const file of [...input.files]) {
    const entry = {file, uploadId: null, xhr: null, state: 'uploading', note: '', progress: 0};
    const kept = list.filter((f) => f.state !== 'refused');
    const why = kept.length >= (field.maxFiles ?? 1)
      ? `${file.name} cannot be added: this field takes at most ${field.maxFiles ?? 1} `
        + `file${(field.maxFiles ?? 1) > 1 ? 's' : ''}. Remove one first.`
      : refusal(field, file);
    if (why) {
      Object.assign(entry, {state: 'refused', note: why});
      list.push(entry);
      continue;
    }
    list.push(entry);
    upload(field, entry);
  }
  input.value = '';  // the same file may be chosen again after a removal
  drawFiles(field);
}

async function upload(field, entry) {
  const draw = () => drawFiles(field);
  try {
    const {data: offer} = await state.api.post(
      `/forms/${encodeURIComponent(state.form.formId)}/uploads`,
      {field: field.name, filename: entry.file.name, contentType: entry.file.type, size: entry.file.size},
      {signedIn: false});
    if (entry.state === 'removed') return;
    await sendFile(offer, entry, draw);
    if (entry.state === 'removed') return;
    Object.assign(entry, {uploadId: offer.uploadId, state: 'done', progress: 1, note: 'Uploaded'});
  } catch (error) {
    if (entry.state === 'removed') return;
    Object.assign(entry, {state: 'failed', note: uploadFailure(entry.file, error)});
  }
  draw();
}

/** The browser's POST of the file to the bucket, with its progress. */
function sendFile(offer, entry, draw) {
  return new Promise((resolve, reject) => {
    const data = new FormData();
    for (const [name, value] of Object.entries(offer.fields)) data.append(name, value);
    data.append('file', entry.file);
    const xhr = new XMLHttpRequest();
    entry.xhr = xhr;
    xhr.open('POST', offer.url);
    xhr.upload.addEventListener('progress', (event) => {
      if (!event.lengthComputable) return;
      entry.progress = event.loaded / event.total;
      draw();
    });
    xhr.addEventListener('load', () => (xhr.status >= 200 && xhr.status < 300
      ? resolve() : reject(new Error(xhr.responseText || `status ${xhr.status}`))));
    xhr.addEventListener('error', () => reject(new Error('network')));
    xhr.addEventListener('abort', () => reject(new Error('aborted')));
    xhr.send(data);
  });
}

function uploadFailure(file, error) {
  if (error instanceof ApiError) {
    if (error.code === 'rate_limited') {
      return `${file.name} could not be uploaded: too many files in a short time. Wait a few minutes and try again.`;
    }
    const detail = error.details?.[0]?.message;
    return `${file.name} cannot be sent: ${detail ?? error.message}`;
  }
  if (/EntityTooLarge/.test(error.message)) return `${file.name} cannot be sent: it is larger than it said.`;
  return `${file.name} could not be uploaded. Check your connection, remove it and try again.`;
}

function drawFiles(field) {
  const list = state.files.get(field.name).filter((f) => f.state !== 'removed');
  state.files.set(field.name, list);
  const slot = document.getElementById(`${state.form.formId}-${field.name}-files`);
  slot.replaceChildren(...list.map((entry) => {
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'link';
    remove.textContent = entry.state === 'refused' ? 'Dismiss' : 'Remove';
    remove.setAttribute('aria-label', `Remove ${entry.file.name}`);
    remove.addEventListener('click', () => {
      entry.state = 'removed';
      entry.xhr?.abort();
      drawFiles(field);
    });
    const name = document.createElement('span');
    name.className = 'file-name';
    name.textContent = `${entry.file.name} (${megabytes(entry.file.size)})`;
    const item = document.createElement('li');
    item.className = `file-item ${entry.state}`;
    item.dataset.state = entry.state;
    item.append(name, remove);
    if (entry.state === 'uploading' || entry.state === 'done') {
      const bar = document.createElement('progress');
      bar.max = 1;
      bar.value = entry.progress;
      bar.setAttribute('aria-label', `Upload of ${entry.file.name}`);
      item.append(bar);
    }
    const note = document.createElement('span');
    note.className = 'file-state';
    note.textContent = entry.state === 'uploading' ? `Uploading… ${Math.round(entry.progress * 100)}%` : entry.note;
    item.append(note);
    return item;
  }));
}

function uploading() {
  return [...state.files.values()].some((list) => list.some((f) => f.state === 'uploading'));
}

function missingFiles() {
  return state.form.fields.filter((f) => f.type === 'file' && f.required
    && !state.files.get(f.name).some((entry) => entry.uploadId));
}

function submit(event) {
  event.preventDefault();
  if (inFlight) return inFlight;  // a second click while sending is the same submission
  clearErrors();
  if (uploading()) {
    formError('Please wait until your files have finished uploading.');
    return null;
  }
  const missing = missingFiles();
  if (missing.length) {
    for (const field of missing) {
      const {input, box} = fieldParts(field.name);
      box.textContent = `${field.label} is required: attach a file.`;
      box.hidden = false;
      input.setAttribute('aria-invalid', 'true');
    }
    formError('Please correct the fields marked above.');
    fieldParts(missing[0].name).input.focus();
    return null;
  }
  const body = readForm();
  const serialized = JSON.stringify(body);
  if (!attempt || attempt.body !== serialized) attempt = {key: newIdempotencyKey(), body: serialized};
  const button = $('button[type="submit"]', state.node);
  button.disabled = true;
  button.textContent = 'Sending…';
  inFlight = (async () => {
    try {
      const {data} = await state.api.post(`/forms/${encodeURIComponent(state.form.formId)}`, body, {
        signedIn: false, headers: {'Idempotency-Key': attempt.key}});
      attempt = null;
      for (const field of state.form.fields.filter((f) => f.type === 'file')) {
        state.files.set(field.name, []);
        drawFiles(field);
      }
      state.node.hidden = true;
      $('#form-success-id').textContent = data?.id ?? '';
      success.hidden = false;
      success.focus();
    } catch (error) {
      showError(error);
      if (state.captcha) window[state.captcha.global]?.reset?.();  // a token is good once
    } finally {
      inFlight = null;
      button.disabled = false;
      button.textContent = 'Send';
    }
  })();
  return inFlight;
}

$('#form-again').addEventListener('click', () => {
  state.node.reset();
  clearErrors();
  success.hidden = true;
  state.node.hidden = false;
  state.node.querySelector('input, textarea, select')?.focus();
});

main();
