// Build DOM nodes from data without ever parsing data as HTML.
// Every string child becomes a text node; there is no innerHTML anywhere in web/.

/**
 * el('a', {className: 'x', attrs: {href: '#'}, on: {click: fn}}, 'text', childNode)
 * @param {string} tag
 * @param {{className?: string, text?: string, attrs?: Record<string, string|boolean|number|null|undefined>, dataset?: Record<string,string>, on?: Record<string, EventListener>}} [props]
 * @param {...(Node|string|number|null|undefined|false)} children
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [name, value] of Object.entries(props.dataset ?? {})) node.dataset[name] = value;
  for (const [type, listener] of Object.entries(props.on ?? {})) node.addEventListener(type, listener);
  if (props.text !== undefined) node.textContent = String(props.text);
  append(node, children);
  return node;
}

/** Append children; strings and numbers become text nodes. */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace all of a node's children. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** "1 message", "3 messages". */
export function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}

export function $(selector, root = document) {
  const node = root.querySelector(selector);
  if (!node) throw new Error(`missing element ${selector}`);
  return node;
}

// The stage's time zone (config.json's branding.timeZone); null: the viewer's own.
let dateZone = null;

/** Show every date from now on in this IANA zone (one the browser does not know: the viewer's own). */
export function useTimeZone(timeZone) {
  try {
    new Intl.DateTimeFormat(undefined, {timeZone});
    dateZone = timeZone || null;
  } catch {
    dateZone = null;
  }
}

/**
 * "2025-01-31T10:00:00Z" → a short date-time for people, in the stage's time zone and
 * naming it ("31 Jan 2025, 11:00 CET"); the raw value stays in the title.
 */
export function formatDate(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso ?? '');
  const zone = dateZone ?? undefined;
  const shown = date.toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short', timeZone: zone});
  if (!zone) return shown;
  const name = new Intl.DateTimeFormat(undefined, {timeZone: zone, timeZoneName: 'short'})
    .formatToParts(date).find((part) => part.type === 'timeZoneName');
  return name ? `${shown} ${name.value}` : shown;
}

/**
 * An email address that may wrap only after its "@" and its dots: a narrow
 * column shows "ada@" / "engine.example", never "ada@engine.exampl" / "e".
 * @param {string} address
 */
export function emailParts(address) {
  const parts = String(address ?? '').split(/(?<=[@.])/);
  return parts.flatMap((part, i) => (i === 0 ? [part] : [document.createElement('wbr'), part]));
}
