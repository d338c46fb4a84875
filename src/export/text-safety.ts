/**
 * Text that comes from a PDF or a user's config is hostile until proven otherwise:
 * spreadsheet apps evaluate cells that look like formulas, and XML rejects some control characters.
 */

/** Leading characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula (OWASP CSV injection). */
const FORMULA_TRIGGER = /^[=+\-@\t\r]/;

/**
 * Prefixes a single quote to text that a spreadsheet would evaluate, so it is shown, never run.
 * Applied to strings only: real numbers (confidence, counts) are written as numbers elsewhere.
 */
export function neutraliseFormula(text: string): string {
  return FORMULA_TRIGGER.test(text) ? `'${text}` : text;
}

export function isFormulaLike(text: string): boolean {
  return FORMULA_TRIGGER.test(text);
}

/**
 * Characters XML 1.0 forbids (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, lone surrogates).
 * PDF text layers do contain them; one of them would make Excel or Word refuse the whole file.
 */
const XML_INVALID_CHARS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point here
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function removeXmlInvalidChars(text: string): string {
  return text.replace(XML_INVALID_CHARS, '');
}
