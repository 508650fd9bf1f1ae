// The Person view (#person/<address>): everything stored about one address
// (GET /dashboard/people/{email}, every page), "Download their data" (the
// same pages saved as one JSON file, fetched with the token in the
// Authorization header, never in a URL) and "Erase everything about this
// person", which acts only once the address is typed again, and repeats the
// erasure until the API says it is complete. Every value is set as text.

import {$, el, formatDate, plural, replace} from '../dom.js';

const MAX_PAGES = 50;
const PAGE_LIMIT = 100;
const ERASE_CALLS = 50;
const KINDS = [['messages', 'message'], ['replies', 'reply', 'replies'], ['users', 'user record'],
  ['deliveries', 'delivery', 'deliveries'], ['idempotencyRecords', 'remembered request']];

/** The path of a person's data: the address percent-encoded as one segment. */
export function personPath(address) {
  return `/dashboard/people/${encodeURIComponent(address)}`;
}

/** The view's address for the link from a message's sender. */
export function personHash(address) {
  return `#person/${encodeURIComponent(address)}`;
}

export class PersonPanel {
  /** @param {ReturnType<import('../api.js').createApi>} api */
  constructor(api, hooks) {
    this.api = api;
    this.hooks = hooks;
    this.address = '';
    this.errorBox = $('#person-error');
    this.status = $('#person-status');
    this.confirm = $('#person-erase-confirm');
    this.typed = $('#person-erase-typed');
    $('#person-download').addEventListener('click', () => this.download());
    $('#person-erase').addEventListener('click', () => this.askToErase());
    $('#person-erase-cancel').addEventListener('click', () => this.closeConfirm());
    this.typed.addEventListener('input', () => {
      $('#person-erase-go').disabled = !this.typedMatches();
    });
    this.confirm.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.typedMatches()) this.erase();
    });
  }

  /** Show the person of `address` (as the hash carries it). */
  async open(address) {
    this.address = address;
    $('#person-address').textContent = address;
    this.closeConfirm();
    this.showStatus('');
    await this.load();
  }

  typedMatches() {
    return this.typed.value.trim().toLowerCase() === this.address.trim().toLowerCase();
  }

  showError(message) {
    this.errorBox.textContent = message;
    this.errorBox.hidden = !message;
  }

  showStatus(message) {
    this.status.textContent = message;
    this.status.hidden = !message;
  }

  /** Every page of the person's data, merged into one document. */
  async everything() {
    const merged = {email: this.address, messages: [], replies: [], users: [], deliveries: [], idempotencyRecords: []};
    let cursor = null;
    for (let pages = 0; pages < MAX_PAGES; pages += 1) {
      const {data} = await this.api.get(personPath(this.address), {query: {limit: PAGE_LIMIT, cursor}});
      merged.email = data.email;
      for (const [kind] of KINDS) merged[kind].push(...(data[kind] ?? []));
      cursor = data.next;
      if (!cursor) break;
    }
    return merged;
  }

  async load() {
    this.showError('');
    replace($('#person-summary'));
    replace($('#person-records'), el('p', {className: 'muted', text: 'Loading…'}));
    try {
      this.render(await this.everything());
    } catch (error) {
      replace($('#person-records'));
      this.hooks.onError(error, (message) => this.showError(message));
    }
  }

  render(data) {
    replace($('#person-summary'), ...KINDS.flatMap(([kind, one, many]) => [
      el('dt', {text: (many ?? `${one}s`).replace(/^./, (c) => c.toUpperCase())}),
      el('dd', {attrs: {'data-kind': kind}, text: String(data[kind].length)})]));
    const sections = [];
    if (data.messages.length) {
      sections.push(el('h2', {text: 'Messages'}), el('table', {className: 'person-messages'},
        el('thead', {}, el('tr', {}, ...['Received', 'Subject', 'Status', 'Form'].map((h) => el('th', {text: h})))),
        el('tbody', {}, ...data.messages.map((m) => el('tr', {},
          el('td', {attrs: {title: m.createdAt}, text: formatDate(m.createdAt)}),
          el('td', {text: m.subject || (m.message ?? '').slice(0, 80) || '(no subject)'}),
          el('td', {text: m.status}), el('td', {}, el('code', {text: m.formId})))))));
    }
    if (data.replies.length) {
      sections.push(el('h2', {text: 'Replies sent to them'}), el('ul', {className: 'person-replies'},
        ...data.replies.map((r) => el('li', {}, el('span', {className: 'muted', text: `${formatDate(r.createdAt)} · ${r.status} · `}),
          r.body.split('\n')[0]))));
    }
    if (data.users.length) {
      sections.push(el('h2', {text: 'User record'}), el('ul', {className: 'person-users'},
        ...data.users.map((u) => el('li', {text: `${u.name} <${u.email}>`}))));
    }
    if (!sections.length && !data.deliveries.length && !data.idempotencyRecords.length) {
      sections.push(el('p', {className: 'muted person-nothing', text: 'Nothing is stored about this address.'}));
    }
    replace($('#person-records'), ...sections);
  }

  async download() {
    const button = $('#person-download');
    button.disabled = true;
    this.showError('');
    this.showStatus('Preparing their data…');
    try {
      const data = await this.everything();
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], {type: 'application/json'}));
      const link = el('a', {attrs: {href: url, download: `person-${data.email}.json`, hidden: true}});
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      this.showStatus('Their data was downloaded.');
    } catch (error) {
      this.showStatus('');
      this.hooks.onError(error, (message) => this.showError(message));
    } finally {
      button.disabled = false;
    }
  }

  askToErase() {
    this.typed.value = '';
    $('#person-erase-go').disabled = true;
    this.confirm.hidden = false;
    this.typed.focus();
  }

  closeConfirm() {
    this.confirm.hidden = true;
    this.typed.value = '';
  }

  async erase() {
    const go = $('#person-erase-go');
    go.disabled = true;
    this.showError('');
    this.showStatus('Erasing…');
    const total = Object.fromEntries(KINDS.map(([kind]) => [kind, 0]));
    try {
      let complete = false;
      for (let calls = 0; calls < ERASE_CALLS && !complete; calls += 1) {
        const {data} = await this.api.delete(personPath(this.address));
        for (const [kind] of KINDS) total[kind] += data.erased[kind] ?? 0;
        complete = data.complete;
      }
      this.closeConfirm();
      const erased = KINDS.map(([kind, one, many]) => plural(total[kind], one, many));
      this.showStatus(`Erased ${erased.join(', ')}.${complete ? '' : ' More is left: erase again.'}`);
      this.hooks.onChanged();
      const status = this.status.textContent;
      await this.load();
      this.showStatus(status);
    } catch (error) {
      this.showStatus('');
      go.disabled = !this.typedMatches();
      this.hooks.onError(error, (message) => this.showError(`${message} Erase again to finish: it picks up where it stopped.`));
    }
  }
}
