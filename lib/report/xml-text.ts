/**
 * Escaping for XML 1.0 (and HTML) text and attributes. Characters XML 1.0 cannot carry at all,
 * not even as references (control characters, lone surrogates, U+FFFE/U+FFFF), are replaced
 * by a visible `\uXXXX` so the report stays well-formed and the reader still sees them.
 */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Replaces characters XML 1.0 forbids; iterating by code point keeps valid surrogate pairs intact. */
export function xmlSafe(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    out += isXmlChar(cp) ? ch : `\\u${cp.toString(16).padStart(4, '0')}`;
  }
  return out;
}

export function escapeText(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values; whitespace is escaped too so a parser does not normalise newlines away. */
export function escapeAttr(text: string): string {
  return escapeText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}
