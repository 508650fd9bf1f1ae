// "Export CSV": every page of an export, fetched with the token in the
// Authorization header (never in a URL), joined into one file the browser saves.
// The API returns at most a configured number of rows per call and points to
// the rest with `Link: <?…cursor=…>; rel="next"`.

import {el} from '../dom.js';

const MAX_PAGES = 100;
const BOM = '\uFEFF';

function nextQuery(link) {
  const match = /<\?([^>]*)>\s*;\s*rel="next"/.exec(link ?? '');
  return match ? Object.fromEntries(new URLSearchParams(match[1])) : null;
}

/**
 * @param {ReturnType<import('../api.js').createApi>} api
 * @param {string} path  e.g. '/dashboard/messages/export'
 * @param {Record<string, string>} query
 * @param {string} filename
 * @returns {Promise<number>} the number of pages fetched
 */
export async function downloadCsv(api, path, query, filename) {
  const parts = [BOM];  // Response.text() drops the BOM; spreadsheets need it
  let params = query;
  let pages = 0;
  while (params && pages < MAX_PAGES) {
    const {response} = await api.get(path, {query: params, raw: true, headers: {Accept: 'text/csv'}});
    const text = (await response.text()).replace(/^\uFEFF/, '');
    // Every page starts with the header row; the file keeps the first one.
    parts.push(pages === 0 ? text : text.slice(text.indexOf('\r\n') + 2));
    pages += 1;
    params = nextQuery(response.headers.get('Link'));
  }
  const url = URL.createObjectURL(new Blob(parts, {type: 'text/csv;charset=utf-8'}));
  const link = el('a', {attrs: {href: url, download: filename, hidden: true}});
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return pages;
}

// How long "Export downloaded." stays before it goes away by itself.
const NOTE_MS = 5000;

/** The line under a toolbar that says how an export is going; "done" goes away by itself. */
export class ExportNote {
  /** @param {HTMLElement} node */
  constructor(node) {
    this.node = node;
    this.timer = null;
  }

  working() {
    this.show('Preparing the export…');
  }

  done() {
    this.show('Export downloaded.');
    this.timer = setTimeout(() => this.clear(), NOTE_MS);
  }

  show(text) {
    clearTimeout(this.timer);
    this.node.textContent = text;
    this.node.hidden = false;
  }

  /** Gone: after a while, a failure, or the next thing the person does. */
  clear() {
    clearTimeout(this.timer);
    this.timer = null;
    this.node.hidden = true;
  }
}
