import { redact } from './redact.js';
import { escapeAttr, escapeText } from './xml-text.js';

/** Text for the HTML report: secrets redacted, then escaped. */
export const h = (text: string): string => escapeText(redact(text));
/** An attribute value for the HTML report: secrets redacted, then escaped. */
export const a = (text: string): string => escapeAttr(redact(text));
