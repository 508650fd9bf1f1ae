// form.html?form=<id>: any form of the site, drawn from its public JSON Schema
// (GET /forms/{id}/schema) as the same plain <form> the dashboard's snippet is
// (js/form-markup.js), then sent as JSON to POST /forms/{id}. The API is the one
// judge of what is valid: its 400 `details` name fields, and each is shown
// beside its field.
//
// Idempotency as on the contact page (js/contact.js): one Idempotency-Key per
// submission, reused when the same content is sent again.

import {ApiError, createApi, newIdempotencyKey} from './api.js';
import {captchaOf} from './captcha.js';
import {loadConfig} from './config.js';
import {$} from './dom.js';
import {HONEYPOT, formFromSchema, formTree, toDom} from './form-markup.js';

const FORM_ID = /^[a-z][a-z0-9-]{0,39}$/;

const status = $('#form-status');
const slot = $('#form-slot');
const success = $('#form-success');

let state = null;  // {api, form, node, captcha} once the form is drawn
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
  state = {api, form, node, captcha};
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

function submit(event) {
  event.preventDefault();
  if (inFlight) return inFlight;  // a second click while sending is the same submission
  clearErrors();
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
