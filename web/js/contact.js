// The contact form. The API is the one judge of what is valid: the form shows
// hints while typing and shows the API's per-field `details` next to each field.
//
// Idempotency: each submission gets one Idempotency-Key. Sending the same
// content again (a double click, or "try again" after a lost response) reuses
// it, so the API stores the message once. Changed content is a new submission
// with a new key (the API answers 409 to one key with two bodies).

import {ApiError, createApi} from './api.js';
import {loadConfig} from './config.js';
import {captchaOf} from './captcha.js';
import {$} from './dom.js';

const FIELDS = ['name', 'email', 'subject', 'message'];
// What each field needs, in words for the person filling the form in. The
// API's own wording, written for developers, stays in the response's details.
export const PLAIN_HINTS = {
  name: 'Please enter your name, up to 100 characters.',
  email: 'Please enter your email address, like name@example.com.',
  subject: 'Please shorten the subject to 150 characters or fewer, on one line.',
  message: 'Please write your message, up to 5000 characters.',
};

let captcha = null;  // the configured provider's entry, once its widget is on the page

const form = $('#contact-form');
const sendButton = $('#send');
const formError = $('#form-error');
const success = $('#contact-success');

let api = null;
let inFlight = null;          // the pending submission's promise, if any
let attempt = null;           // {key, body}: the last submission sent

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, '0')).join('');
}

function readForm() {
  const data = new FormData(form);
  const body = {
    name: String(data.get('name') ?? '').trim(),
    email: String(data.get('email') ?? '').trim(),
    message: String(data.get('message') ?? ''),
  };
  const subject = String(data.get('subject') ?? '').trim();
  if (subject) body.subject = subject;
  const website = String(data.get('website') ?? '');
  if (website) body.website = website;
  if (captcha) body.captchaToken = String(data.get(captcha.field) ?? '');
  return body;
}

function showFieldError(field, messages) {
  const box = document.getElementById(`${field}-error`);
  const input = document.getElementById(field);
  if (!box || !input) return false;
  if (messages.length) clearHint(field);  // the API's word replaces the hint's
  box.textContent = messages.length ? PLAIN_HINTS[field] : '';
  box.hidden = messages.length === 0;
  // aria-invalid="" reads as false: set "true" or remove it.
  if (messages.length) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
  return true;
}

function clearErrors() {
  for (const field of FIELDS) showFieldError(field, []);
  formError.hidden = true;
  formError.textContent = '';
}

function showFormError(message) {
  formError.textContent = message;
  formError.hidden = false;
}

function showError(error) {
  if (!(error instanceof ApiError)) {
    showFormError('Something went wrong. Please try again.');
    return;
  }
  if (error.code === 'validation_failed' || error.details.length) {
    const unplaced = [];
    for (const [field, messages] of Object.entries(error.fieldErrors())) {
      if (!showFieldError(field, messages)) unplaced.push(...messages);
    }
    showFormError(unplaced.length ? unplaced.join(' ') : 'Please correct the fields marked above.');
    const first = form.querySelector('[aria-invalid]');
    first?.focus();
    return;
  }
  if (error.code === 'captcha_failed') {
    showFormError('Please confirm that you are not a robot, then send the form again.');
    return;
  }
  if (error.code === 'rate_limited') {
    showFormError('You have sent several messages in a short time. Please wait a few minutes and try again.');
    return;
  }
  showFormError(error.status === 0 ? error.message : `${error.message} Please try again.`);
}

function showSuccess(email, id) {
  form.hidden = true;
  $('#success-email').textContent = email;
  $('#success-id').textContent = id ?? '';
  success.hidden = false;
  success.focus();
}

async function submit(event) {
  event.preventDefault();
  if (inFlight) return inFlight;  // a second click while sending is the same submission
  clearErrors();
  const body = readForm();
  const serialized = JSON.stringify(body);
  if (!attempt || attempt.body !== serialized) attempt = {key: newKey(), body: serialized};
  const {key} = attempt;
  sendButton.disabled = true;
  sendButton.textContent = 'Sending…';
  inFlight = (async () => {
    try {
      api ??= createApi(await loadConfig());
      const {data} = await api.post('/contact', body, {
        signedIn: false, headers: {'Idempotency-Key': key}});
      attempt = null;
      showSuccess(body.email, data?.id);
    } catch (error) {
      showError(error);
      resetCaptcha();  // a token is good for one verification
    } finally {
      inFlight = null;
      sendButton.disabled = false;
      sendButton.textContent = 'Send message';
    }
  })();
  return inFlight;
}

function clearHint(field) {
  const line = document.getElementById(`${field}-hint`);
  if (!line) return;
  line.classList.remove('hint-warn');
  delete line.dataset.advice;
  if (field === 'message') updateCount();
  else if (line.dataset.original) line.textContent = line.dataset.original;
}

function reset() {
  form.reset();
  clearErrors();
  for (const field of FIELDS) clearHint(field);
  attempt = null;
  updateCount();
  success.hidden = true;
  form.hidden = false;
  $('#name').focus();
}

const messageInput = $('#message');
function updateCount() {
  const line = $('#message-hint');
  const count = `${messageInput.value.length} / 5000 characters.`;
  line.textContent = line.dataset.advice ? `${line.dataset.advice} ${count}` : count;
}

// Client-side hints: once a field has been left, its hint line says what it
// expects. Hints only advise; the API decides, and its errors go in the error
// slots. They rewrite an existing line rather than add one, so the form never
// shifts under a pointer on its way to the Send button.
function hint(event) {
  const input = event.target;
  const line = document.getElementById(`${input.name}-hint`);
  if (!line || !FIELDS.includes(input.name)) return;
  line.dataset.original ??= line.textContent;
  let advice = '';
  if (input.validity.valueMissing) advice = 'Required.';
  else if (input.validity.typeMismatch) advice = 'Enter an email address like name@example.com.';
  line.classList.toggle('hint-warn', Boolean(advice));
  if (input.name === 'message') {
    line.dataset.advice = advice;  // the counter keeps its line; see updateCount
    updateCount();
  } else {
    line.textContent = advice || line.dataset.original;
  }
}

// Without this script the browser posts the form to the API itself (see index.html);
// with it, the form is sent as JSON and the answer shown in place.
form.noValidate = true;
form.addEventListener('submit', submit);
showCaptcha();
form.addEventListener('focusout', hint);
messageInput.addEventListener('input', updateCount);
$('#send-another').addEventListener('click', reset);

function resetCaptcha() {
  if (captcha) window[captcha.global]?.reset?.();
}

// The provider's widget, when the stage has a site key. It renders itself into
// the element (implicit rendering) and writes its token into a hidden field of
// the form, which readForm sends as captchaToken.
async function showCaptcha() {
  let config;
  try {
    config = await loadConfig();
  } catch {
    return;  // submit() reports a missing config when it is used
  }
  const provider = captchaOf(config);
  if (!provider) return;
  const box = document.createElement('div');
  box.className = `captcha ${provider.className}`;
  box.dataset.sitekey = provider.siteKey;
  form.insertBefore(box, formError);
  const script = document.createElement('script');
  script.src = provider.script;
  script.async = true;
  document.head.append(script);
  captcha = provider;
}
