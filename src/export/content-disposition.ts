/**
 * Download file names come from the uploaded document's name, which the uploader controls:
 * they must never break out of the header (CR/LF, quotes), name a path, or smuggle bidi/control characters.
 */

/** Whole file name, extension included: long enough to stay recognisable, short enough for every OS and browser. */
export const MAX_FILENAME_CHARS = 120;

const FALLBACK_STEM = 'document';

/** Control, format (bidi overrides, zero-width) and line/paragraph separator characters. */
const INVISIBLE_CHARS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
/**
 * Path separators and characters Windows forbids in names; quotes and backslash also end/escape a quoted header value.
 */
const UNSAFE_NAME_CHARS = /[/\\:*?"<>|]/g;
/** Characters safe inside the quoted ASCII `filename="..."` for every browser (no %, which some decode, no ;). */
const ASCII_FALLBACK_UNSAFE = /[^A-Za-z0-9 !#$&'()+,.=@[\]^_`{}~-]/g;

const TRANSLITERATIONS: Record<string, string> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  þ: 'th',
  Þ: 'Th',
  ð: 'd',
  Ð: 'D',
  '–': '-',
  '—': '-',
  '‐': '-',
  '‑': '-',
  '‘': "'",
  '’': "'",
  '‚': "'",
  '“': "'",
  '”': "'",
  '„': "'",
  '…': '...',
  '€': 'EUR',
  '£': 'GBP',
};

function truncateCodePoints(text: string, maxChars: number): string {
  const codePoints = Array.from(text);
  return codePoints.length <= maxChars ? text : codePoints.slice(0, maxChars).join('');
}

function trimNameEdges(text: string): string {
  // Leading dots would hide the file (or read as "..") and trailing dots/spaces are dropped by Windows.
  return text.replace(/^[\s._]+/u, '').replace(/[\s._]+$/u, '');
}

/**
 * A name safe to save on any OS and to put in a header: no control/bidi characters, no path or quote characters,
 * no leading dots, collapsed whitespace, at most `maxChars` code points. Non-ASCII letters are kept.
 */
export function sanitiseFilenamePart(raw: string, maxChars: number = MAX_FILENAME_CHARS): string {
  const cleaned = raw
    .normalize('NFC')
    .replace(INVISIBLE_CHARS, ' ')
    .replace(UNSAFE_NAME_CHARS, '_')
    .replace(/\s+/gu, ' ')
    .replace(/_+/g, '_');
  return trimNameEdges(truncateCodePoints(trimNameEdges(cleaned), maxChars));
}

/** The document name without its `.pdf` extension, sanitised; "document" when nothing usable is left. */
export function sanitiseDocumentStem(documentName: string, maxChars: number): string {
  const withoutExtension = documentName.replace(/\.pdf\s*$/i, '');
  return sanitiseFilenamePart(withoutExtension, maxChars) || FALLBACK_STEM;
}

/** e.g. "Penhold RFP - analysis.xlsx", "Penhold RFP - analysis - PARTIAL.xlsx". */
export function buildExportFilename(documentName: string, extension: string, partial: boolean): string {
  const suffix = ` - analysis${partial ? ' - PARTIAL' : ''}.${extension}`;
  return `${sanitiseDocumentStem(documentName, MAX_FILENAME_CHARS - suffix.length)}${suffix}`;
}

/** ASCII-only stand-in for browsers that ignore `filename*`: accents stripped, other letters become `_`. */
export function toAsciiFilename(filename: string): string {
  const transliterated = Array.from(filename.normalize('NFKD').replace(/\p{M}/gu, ''))
    .map((char) => TRANSLITERATIONS[char] ?? char)
    .join('');
  const ascii = transliterated.replace(ASCII_FALLBACK_UNSAFE, '_').replace(/_+/g, '_');
  const dot = ascii.lastIndexOf('.');
  const stem = dot > 0 ? ascii.slice(0, dot) : ascii;
  const extension = dot > 0 ? ascii.slice(dot) : '';
  // A name that was all non-Latin script (e.g. "東京") leaves only underscores: give it a readable stem instead.
  const trimmedStem = stem.replace(/^[\s._-]+/, '').replace(/[\s._-]+$/, '');
  const usableStem = /[A-Za-z0-9]/.test(trimmedStem) ? trimmedStem : FALLBACK_STEM;
  return `${usableStem}${extension}`;
}

/** RFC 5987 attr-char encoding: encodeURIComponent leaves ' ( ) * unescaped, which are not attr-chars. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `attachment; filename="<ascii fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266).
 * Sanitises again, so it is safe whatever name it is given.
 */
export function contentDisposition(filename: string): string {
  const safe = sanitiseFilenamePart(filename) || FALLBACK_STEM;
  return `attachment; filename="${toAsciiFilename(safe)}"; filename*=UTF-8''${encodeRfc5987(safe)}`;
}
