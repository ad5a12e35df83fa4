// HTML built as text, with every interpolated value escaped unless it is markup this module
// made (`raw`). Shopper-supplied strings (names, product titles, a provider's error code) only
// ever reach a page through `html`, so one function is the whole XSS defence of the console.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

class Markup {
  constructor(text) {
    this.text = text;
  }
  toString() {
    return this.text;
  }
}

/** Markup to be kept as is: only for text this module (or `html`) produced. */
export const raw = (text) => new Markup(String(text));

export function escape(value) {
  return String(value).replace(/[&<>"'`]/g, (c) => ESCAPES[c]);
}

function piece(value) {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(piece).join('');
  return escape(value);
}

/** A tagged template: `html\`<td>${name}</td>\`` escapes `name`; arrays of markup are joined. */
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i += 1) out += piece(values[i]) + strings[i + 1];
  return new Markup(out);
}
