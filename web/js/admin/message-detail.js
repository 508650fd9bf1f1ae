// The opened message in the messages panel: what the visitor sent (every
// field under its label, the files it brought), how each delivery went, the
// actions its status offers, and the reply thread with its form (polled while
// a reply is being sent). What an action does to the list is the panel's
// (messages.js). Every value from a message is set as text: its fields come
// from strangers.

import {el, emailParts, formatDate, replace} from '../dom.js';
import {personHash} from './person.js';

const CONTACT_ID = 'contact';
export const STATUS_LABELS = {new: 'New', read: 'Read', replied: 'Replied', archived: 'Archived', spam: 'Spam'};
// What each status offers, as [label, status asked for]. The API decides what a
// request makes of an answered message (docs/api.md, "Message statuses"): it stays
// or comes back `replied`, so a replied message offers no "Mark as read". Spam
// offers "Not spam" (back to the inbox, sending the mail it held back), every
// other status "Mark as spam".
const STATUS_ACTIONS = {
  new: [['Mark as read', 'read'], ['Archive', 'archived'], ['Mark as spam', 'spam']],
  read: [['Mark as new', 'new'], ['Archive', 'archived'], ['Mark as spam', 'spam']],
  replied: [['Archive', 'archived'], ['Mark as spam', 'spam']],
  archived: [['Move back to the inbox', 'new'], ['Mark as spam', 'spam']],
  spam: [['Not spam', 'new']],
};
const REPLY_LABELS = {pending: 'Sending…', sent: 'Sent', failed: 'Not sent'};
const REPLY_MAX = 10000;
// While a reply is pending the thread is fetched again this often, this many times.
const POLL_MS = 3000;
const POLL_TIMES = 40;

export class MessageDetail {
  /**
   * @param {HTMLElement} element where the message is shown (#message-detail)
   * @param {ReturnType<import('../api.js').createApi>} api
   * @param {{formName: (formId: string) => string, setStatus: (id: string, status: string) => Promise<void>,
   *   remove: (id: string) => Promise<void>, open: (id: string) => Promise<void>, close: () => void,
   *   changed: (message: object, focus: string) => Promise<void>,
   *   onError: (error: Error, show?: (message: string) => void) => void}} panel
   */
  constructor(element, api, panel) {
    this.element = element;
    this.api = api;
    this.panel = panel;
    this.openId = null;
    this.pollTimer = null;
    this.pollsLeft = 0;
  }

  /** Before opening a message: no poll of the one before, a whole polling budget for this one. */
  resetPolling() {
    this.stopPolling();
    this.pollsLeft = POLL_TIMES;
  }

  hide() {
    this.stopPolling();
    this.openId = null;
    this.element.hidden = true;
    replace(this.element);
  }

  /**
   * Show `message`, opened or as an action left it; `focus`: where the
   * keyboard goes (the detail, after opening or a status change; the thread,
   * after a reply).
   */
  show(message, focus = 'detail') {
    this.openId = message.id;
    const actions = el('div', {className: 'actions'});
    for (const [label, status] of STATUS_ACTIONS[message.status] ?? []) {
      actions.append(this.action(label, () => this.panel.setStatus(message.id, status),
        status === 'spam' ? 'secondary' : ''));
    }
    actions.append(this.action('Delete', () => this.confirmDelete(message.id, actions), 'danger'));
    actions.append(this.action('Close', () => this.panel.close(), 'secondary'));

    replace(this.element,
      el('h2', {className: 'subject', text: message.subject || '(no subject)'}),
      el('dl', {className: 'meta'},
        el('dt', {text: 'From'}), el('dd', {},
          el('span', {className: 'from-name', text: message.name ?? ''}), ' ',
          // The sender's address opens everything stored about them (person.js).
          message.email ? el('a', {className: 'muted from-email person-link',
            attrs: {href: personHash(message.email), title: 'Everything stored about this address'},
            text: `<${message.email}>`}) : null),
        el('dt', {text: 'Form'}), el('dd', {className: 'message-form'},
          `${this.panel.formName(message.formId)} `, el('code', {className: 'muted', text: message.formId ?? ''})),
        el('dt', {text: 'Received'}), el('dd', {attrs: {title: message.createdAt ?? ''}, text: formatDate(message.createdAt)}),
        // When retention deletes it with its replies (DynamoDB's TTL: within days after).
        el('dt', {text: 'Expires'}), el('dd', {className: 'message-expires', attrs: {title: message.expiresAt ?? ''},
          text: message.expiresAt ? formatDate(message.expiresAt) : 'Never (kept forever)'}),
        el('dt', {text: 'Status'}), el('dd', {className: 'message-status', text: STATUS_LABELS[message.status] ?? message.status ?? ''}),
        // Why it is spam: each rule that fired (docs/api.md lists them).
        ...(message.spamReason ? [el('dt', {text: 'Spam because'}), el('dd', {className: 'spam-reason'},
          ...message.spamReason.map((reason) => el('code', {className: 'spam-rule', text: spamReasonText(reason)})))] : []),
        ...(message.spamCheck ? [el('dt', {text: 'Spam check'}), el('dd', {className: 'spam-check',
          text: SPAM_CHECKS[message.spamCheck] ?? message.spamCheck})] : []),
        el('dt', {text: 'Email to owner'}), el('dd', {className: 'notification',
          attrs: {title: message.notification?.lastError ?? ''}, text: deliveryText(message.notification)}),
        // Each channel's delivery: the chat post only on a stage that posts to a webhook.
        ...(message.chat ? [el('dt', {text: 'Chat post'}), el('dd', {className: 'chat-delivery',
          attrs: {title: message.chat.lastError ?? ''}, text: deliveryText(message.chat)})] : []),
        // The confirmation mailed to the visitor, where the form had an autoresponse.
        ...(message.autoresponse ? [el('dt', {text: 'Autoresponse'}), el('dd', {className: 'autoresponse-delivery',
          attrs: {title: message.autoresponse.lastError ?? ''}, text: autoresponseText(message.autoresponse)})] : [])),
      ...this.body(message),
      actions,
      this.thread = el('section', {className: 'thread', attrs: {'aria-label': 'Replies', tabindex: -1}}),
      // Spam is not answered (the API refuses it): "Not spam" first.
      message.status === 'spam'
        ? el('p', {className: 'hint spam-no-reply', text: 'Spam cannot be replied to: mark it "Not spam" first.'})
        : this.replyForm(message));
    this.renderThread(message);
    this.element.dataset.id = message.id;
    this.element.hidden = false;
    if (focus !== 'none') (focus === 'thread' ? this.thread : this.element).focus();
  }


  /**
   * What the visitor sent: the contact form's message as it always was shown;
   * another form's fields, each with its label as the form had it then, and
   * the extra fields a form that keeps them got.
   */
  body(message) {
    const fields = message.fields ?? [];
    const extra = Object.entries(message.extra ?? {});
    const parts = [];
    if (message.formId === CONTACT_ID || !fields.length) {
      parts.push(el('div', {className: 'message-body', text: message.message ?? ''}));
    } else {
      parts.push(el('dl', {className: 'message-fields'}, ...fields.flatMap((field) => [
        el('dt', {text: field.label ?? field.name}),
        el('dd', {className: `field-${field.type}`, dataset: {name: field.name}},
          // Every email field's address opens everything stored about it, as the
          // sender's does: the message is among that person's data too.
          field.type === 'email' && typeof field.value === 'string' && field.value
            ? el('a', {className: 'person-link', text: field.value,
              attrs: {href: personHash(field.value), title: 'Everything stored about this address'}})
            : fieldText(field))])));
    }
    if (message.attachments?.length) parts.push(this.attachments(message));
    if (extra.length) {
      parts.push(el('h3', {className: 'extra-title', text: 'Fields the form does not define'}),
        el('dl', {className: 'message-fields message-extra'}, ...extra.flatMap(([name, value]) => [
          el('dt', {text: name}), el('dd', {dataset: {name}, text: value})])));
    }
    return parts;
  }

  /**
   * The files the message's file fields brought: each with its type's icon,
   * its name and size, and a download. The API answers a download with a
   * signed address on the files distribution valid 5 minutes, which serves it
   * as a download (never shown in the page), so each click asks for a fresh one.
   */
  attachments(message) {
    const list = el('ul', {className: 'attachment-list'}, ...message.attachments.map((file, index) =>
      el('li', {className: `attachment kind-${file.kind}`, dataset: {index: String(index)}},
        el('span', {className: 'attachment-icon', attrs: {'aria-hidden': 'true'},
          text: KIND_ICONS[file.kind] ?? KIND_ICONS.file}),
        el('span', {className: 'attachment-name', text: file.filename}),
        el('span', {className: 'muted attachment-size', text: readableSize(file.size)}),
        el('span', {className: 'muted attachment-type', text: KIND_NAMES[file.kind] ?? file.contentType}),
        el('button', {className: 'link', text: 'Download',
          attrs: {type: 'button', 'aria-label': `Download ${file.filename}`},
          on: {click: () => this.download(message.id, index)}}))));
    return el('section', {className: 'attachments', attrs: {'aria-label': 'Attachments'}},
      el('h3', {text: `Attachments (${message.attachments.length})`}), list);
  }

  async download(id, index) {
    try {
      const {data} = await this.api.get(
        `/dashboard/messages/${encodeURIComponent(id)}/attachments/${index}`);
      window.location.assign(data.url);
    } catch (error) {
      this.panel.onError(error);
    }
  }

  renderThread(message) {
    const replies = message.replies ?? [];
    replace(this.thread,
      el('h3', {text: replies.length ? `Replies (${replies.length})` : 'No replies yet'}),
      replies.length ? el('ol', {className: 'replies'}, ...replies.map((reply) => el('li', {
        className: `reply reply-${reply.status}`, dataset: {id: reply.id}},
      el('p', {className: 'reply-meta muted'},
        el('span', {className: 'reply-author', text: reply.author ?? ''}), ' · ',
        el('span', {attrs: {title: reply.createdAt ?? ''}, text: formatDate(reply.createdAt)}), ' · ',
        el('span', {className: `badge reply-status status-${reply.status}`,
          attrs: {title: reply.lastError ?? ''}, text: REPLY_LABELS[reply.status] ?? reply.status ?? ''})),
      el('div', {className: 'reply-body', text: reply.body ?? ''})))) : null);
    if (replies.some((reply) => reply.status === 'pending')) this.pollWhilePending(message.id);
  }

  replyForm(message) {
    const textarea = el('textarea', {attrs: {id: 'reply-body', rows: 6, maxlength: REPLY_MAX, required: true}});
    const error = el('p', {className: 'error', attrs: {id: 'reply-error', role: 'alert', hidden: true}});
    const button = el('button', {text: 'Send reply', attrs: {type: 'submit', id: 'reply-send'}});
    const form = el('form', {className: 'reply-form', attrs: {novalidate: true}},
      el('label', {attrs: {for: 'reply-body'}}, 'Reply to ', ...emailParts(message.email)),
      textarea,
      el('p', {className: 'hint', text: 'Sent by email from the site\'s address; the visitor\'s message is quoted below your answer.'}),
      error,
      el('div', {className: 'actions'}, button));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const body = textarea.value;
      error.hidden = true;
      if (!body.trim()) {
        error.textContent = 'Write a reply first.';
        error.hidden = false;
        return;
      }
      button.disabled = true;  // until the API has answered
      try {
        // One key per reply: a retried request is stored (and mailed) once.
        await this.api.post(`/dashboard/messages/${encodeURIComponent(message.id)}/replies`, {body},
          {headers: {'Idempotency-Key': crypto.randomUUID()}});
        textarea.value = '';
        this.pollsLeft = POLL_TIMES;
        const {data} = await this.api.get(`/dashboard/messages/${encodeURIComponent(message.id)}`);
        if (data) await this.panel.changed(data, 'thread');
      } catch (failure) {
        this.panel.onError(failure, (text) => {
          error.textContent = text;
          error.hidden = false;
        });
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  async refreshThread(id) {
    const {data} = await this.api.get(`/dashboard/messages/${encodeURIComponent(id)}`);
    if (this.openId === id && data) {
      this.element.querySelector('.message-status').textContent = STATUS_LABELS[data.status] ?? data.status ?? '';
      this.renderThread(data);
    }
  }

  pollWhilePending(id) {
    if (this.pollTimer || this.pollsLeft <= 0) return;
    this.pollsLeft -= 1;
    this.pollTimer = setTimeout(async () => {
      this.pollTimer = null;
      if (this.openId !== id) return;
      try {
        await this.refreshThread(id);  // polls again while a reply is still pending
      } catch {
        // Offline for a moment: the status shows at the next load.
      }
    }, POLL_MS);
  }

  stopPolling() {
    clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  action(label, handler, kind = '') {
    return el('button', {className: kind, text: label, attrs: {type: 'button'}, on: {click: handler}});
  }

  confirmDelete(id, actions) {
    replace(actions,
      el('span', {className: 'confirm', text: 'Delete this message for good?'}),
      this.action('Yes, delete', () => this.panel.remove(id), 'danger'),
      this.action('Keep it', () => this.panel.open(id), 'secondary'));
  }

}

const SPAM_CHECKS = {akismet_unavailable: 'Akismet could not be asked; the message was kept'};

// "blocked_word:casino" as the admin reads it: the rule, then what it matched.
function spamReasonText(reason) {
  const [rule, ...rest] = String(reason).split(':');
  const what = rest.join(':');
  const rules = {blocked_word: 'blocked word', blocked_sender: 'blocked sender', blocked_domain: 'blocked domain',
    too_many_links: 'links', duplicate: 'duplicate', akismet: 'Akismet', manual: 'marked by hand'};
  return what ? `${rules[rule] ?? rule}: ${what}` : (rules[rule] ?? rule);
}

const SKIP_REASONS = {
  recently_sent: 'this address had one from this form in the last 24 hours',
  no_address: 'the visitor left the Reply-To field empty',
  spam: 'the message is marked as spam',
};

// "skipped (this address had one …)", or a delivery's status as deliveryText says it.
function autoresponseText(delivery) {
  if (delivery.status !== 'skipped') return deliveryText(delivery);
  return `skipped (${SKIP_REASONS[delivery.reason] ?? delivery.reason ?? 'no reason given'})`;
}

const KIND_ICONS = {image: '🖼️', pdf: '📕', text: '📝', document: '📄', spreadsheet: '📊',
  slides: '📽️', file: '📎'};
const KIND_NAMES = {image: 'Image', pdf: 'PDF', text: 'Text', document: 'Document',
  spreadsheet: 'Spreadsheet', slides: 'Slides'};

/** 1234567 as "1.2 MB", as the owner's mail shows it. */
export function readableSize(size) {
  if (size < 1000) return `${size} bytes`;
  if (size < 1000 ** 2) return `${(size / 1000).toFixed(1)} KB`;
  return `${(size / 1000 ** 2).toFixed(1)} MB`;
}

function fieldText(field) {
  if (field.type === 'checkbox' || typeof field.value === 'boolean') return field.value ? 'Yes' : 'No';
  return field.value ?? '';
}

// "sent (1 attempt)": a delivery's status and how many attempts it took so far.
function deliveryText(delivery) {
  const {status = 'unknown', attempts} = delivery ?? {};
  if (status === 'held') return 'held back (spam): sent if you mark it "Not spam"';
  return attempts === undefined ? status : `${status} (${attempts} attempt${attempts === 1 ? '' : 's'})`;
}
