/**
 * Text clean-up that makes quotes searchable without changing what the document says: typographic
 * ligatures are expanded and words hyphenated across a line break are joined. Every other character is
 * kept as it is (no general NFKC: it would rewrite ½, ², ™ and friends that specs use).
 */

// Latin ligatures U+FB00–U+FB06 (ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ) plus the historic long-s ligature forms; NFKC maps each
// to its letters.
const LIGATURES = /[\uFB00-\uFB06]/g;
const SOFT_HYPHEN = '\u00AD';

/** Expand ligatures only: "ﬁnish" → "finish". */
export function expandLigatures(text: string): string {
  return text.replace(LIGATURES, (ch) => ch.normalize('NFKC'));
}

/**
 * Join words split across lines: ["the reha-", "bilitation of"] → ["the rehabilitation", "of"].
 * A hyphen is only removed when the continuation starts with a lowercase letter (so "Section 02-" +
 * "A" stays), and it is kept when the first part already contains a hyphen ("cured-in-" + "place" →
 * "cured-in-place") or is an acronym or code ("FAA-" + "approved" → "FAA-approved"). Soft hyphens (U+00AD) always join
 * and are removed everywhere else.
 */
export function joinHyphenatedLines(lines: string[]): string[] {
  const out = lines.map((l) => l);
  for (let i = 0; i < out.length - 1; i++) {
    const line = out[i]!;
    const next = out[i + 1]!;
    const soft = line.endsWith(SOFT_HYPHEN);
    const hard = /\p{L}-$/u.test(line);
    if (!soft && !hard) continue;
    const match = /^(\p{L}[\p{L}\p{M}'’]*)([.,;:!?)\]]*)(\s+|$)/u.exec(next);
    if (!match) continue;
    const continuation = match[1]!;
    if (hard && !/^\p{Ll}/u.test(continuation)) continue;
    const lastWord = /(\S+)$/.exec(line.slice(0, -1))?.[1] ?? '';
    // "cured-in-" + "place", "FAA-" + "approved", "Type-2" style words keep their hyphen.
    const keepHyphen = hard && (lastWord.includes('-') || /\p{Lu}.*\p{Lu}|\d/u.test(lastWord));
    out[i] = line.slice(0, -1) + (keepHyphen ? '-' : '') + continuation + match[2]!;
    out[i + 1] = next.slice(match[0].length);
  }
  return out.map((l) => l.split(SOFT_HYPHEN).join('')).filter((l) => l.trim().length > 0);
}

/** Ligatures, hyphenation and whitespace for one page's lines. */
export function normalizePageLines(lines: string[]): string[] {
  const cleaned = lines
    .map((l) =>
      expandLigatures(l)
        .replace(/[\t\u00A0 ]+/g, ' ')
        .trim(),
    )
    .filter((l) => l.length > 0);
  return joinHyphenatedLines(cleaned);
}
