// Renders the answers table from a legacy `result` (GET /api/results/:id or the admin detail). The table is
// always rebuilt from the server's result in one go, so a row can never show a stale or half-applied state.
import { el } from './dom.js';
import { urls } from './api.js';
import { quoteForPage } from './viewer/quote-match.js';

// Confidence bands for the badge colour: above HIGH the quote states the answer plainly, below MEDIUM it is a guess.
// Same cut points as src/analysis/confidence-bands.ts (a test keeps them equal): high = right ≥ 90 % of the time on the
// eval set.
const CONFIDENCE_HIGH = 0.8;
const CONFIDENCE_MEDIUM = 0.5;

/** 'high' | 'medium' | 'low' for a confidence, 'none' when there is none (no answer). */
export function confidenceBand(confidence) {
  if (confidence === null || confidence === undefined || confidence === '' || Number.isNaN(Number(confidence)))
    return 'none';
  const value = Number(confidence);
  return value >= CONFIDENCE_HIGH ? 'high' : value >= CONFIDENCE_MEDIUM ? 'medium' : 'low';
}

export const CONFIDENCE_BAND_LABELS = {
  high: `High (≥ ${CONFIDENCE_HIGH * 100} %)`,
  medium: `Medium (${CONFIDENCE_MEDIUM * 100}–${CONFIDENCE_HIGH * 100} %)`,
  low: `Low (< ${CONFIDENCE_MEDIUM * 100} %)`,
  none: 'None (no answer)',
};

export function confidenceBadge(confidence) {
  const band = confidenceBand(confidence);
  if (band === 'none') return el('span', { className: 'badge confidence-none', text: '—' });
  const value = Number(confidence);
  const pct = `${Math.round(value * 100)}%`;
  return el('span', {
    className: `badge confidence-${band}`,
    text: pct,
    attrs: { title: `Confidence ${pct} (${band})` },
  });
}

/**
 * An answer's cited pages as buttons that open the document viewer at that page with that quote highlighted
 * (viewer/citation-panel.js listens for them; the quote for each page comes from the footnote).
 */
export function pageLinks(sessionId, pages, footnote = null, label = null) {
  const list = Array.isArray(pages) ? pages : [];
  if (list.length === 0) return el('span', { className: 'muted', text: '—' });
  const wrap = el('span', { className: 'page-links' });
  for (const page of list) {
    wrap.append(
      el('button', {
        className: 'page-cite',
        text: String(page),
        attrs: {
          type: 'button',
          'data-cite-page': page,
          'data-cite-document': urls.document(sessionId),
          'data-cite-quote': quoteForPage(footnote, page),
          'data-cite-label': label,
          'aria-pressed': 'false',
          'aria-label': `Show page ${page} with the quote`,
        },
      }),
    );
  }
  return wrap;
}

function answerCell(question, sessionId, running) {
  const cell = el('td', { className: 'answer-cell', attrs: { 'data-label': 'Answer' } });
  if (question.answer === null || question.answer === undefined) {
    // not_examined: the run stopped or failed before reaching the question, so it was never looked for.
    let unanswered = el('span', { className: 'muted not-found', text: 'Not found' });
    if (running) unanswered = el('span', { className: 'pending', text: 'Pending' });
    else if (question.answer_status === 'not_examined')
      unanswered = el('span', { className: 'muted not-examined', text: 'Not examined' });
    cell.append(unanswered);
  } else {
    cell.append(el('div', { className: 'answer-text', text: question.answer }));
  }
  const variants = Array.isArray(question.variants) ? question.variants : [];
  if (variants.length > 0) {
    const list = el('ul', { className: 'variants', attrs: { 'aria-label': 'Other answers in the document' } });
    for (const variant of variants) {
      list.append(
        el('li', {}, [
          el('span', { className: 'variant-label', text: 'Also: ' }),
          el('span', { className: 'answer-text', text: variant.answer ?? '' }),
          ' (pages ',
          pageLinks(sessionId, variant.pages, variant.footnote, question.question_id),
          ') ',
          confidenceBadge(variant.confidence),
          variant.footnote ? el('div', { className: 'footnote', text: variant.footnote }) : null,
        ]),
      );
    }
    cell.append(list);
  }
  return cell;
}

function questionRow(section, question, sessionId, running) {
  const answered = question.answer !== null && question.answer !== undefined;
  const notExamined = !answered && !running && question.answer_status === 'not_examined';
  const state = answered ? 'answered' : running ? 'pending' : notExamined ? 'not-examined' : 'not-found';
  return el(
    'tr',
    { className: `row-${state}`, attrs: { 'data-question-id': question.question_id, 'data-state': state } },
    [
      el('td', { className: 'section-cell', text: section.section_name, attrs: { 'data-label': 'Section' } }),
      el('td', { className: 'question-cell', attrs: { 'data-label': 'Question' } }, [
        el('span', { className: 'question-id', text: question.question_id }),
        ' ',
        el('span', { text: question.question }),
      ]),
      answerCell(question, sessionId, running),
      el('td', { attrs: { 'data-label': 'Pages' } }, [
        answered
          ? pageLinks(sessionId, question.page_citations, question.footnote, question.question_id)
          : el('span', { className: 'muted', text: '—' }),
      ]),
      el('td', { attrs: { 'data-label': 'Confidence' } }, [
        answered ? confidenceBadge(question.confidence) : el('span', { className: 'muted', text: '—' }),
      ]),
      el('td', { className: 'footnote-cell', attrs: { 'data-label': 'Footnote' } }, [
        question.footnote
          ? el('div', { className: 'footnote', text: question.footnote })
          : el('span', { className: 'muted', text: '—' }),
      ]),
    ],
  );
}

/** Replace the table body with one row per question of `result` (all at once). */
export function renderAnswers(tbody, result, { sessionId, running }) {
  const rows = [];
  for (const section of (result && result.sections) || []) {
    for (const question of section.questions || []) rows.push(questionRow(section, question, sessionId, running));
  }
  if (rows.length === 0) {
    rows.push(
      el('tr', {}, [
        el('td', {
          className: 'muted',
          text: running ? 'Waiting for the first answers…' : 'No answers.',
          attrs: { colspan: 6 },
        }),
      ]),
    );
  }
  tbody.replaceChildren(...rows);
}

/** Pending rows for a config before any result exists (the question list, nothing answered). */
export function configAsPendingResult(config, selectedSectionIds) {
  return {
    sections: (config.sections || [])
      .filter((s) => selectedSectionIds.has(s.section_id))
      .map((s) => ({
        section_id: s.section_id,
        section_name: s.section_name,
        questions: (s.questions || []).map((q) => ({
          question_id: q.id,
          question: q.text,
          answer: null,
          page_citations: [],
          confidence: null,
          footnote: null,
        })),
      })),
  };
}

/** Export links: real links when a session exists, inert (no href, aria-disabled) otherwise. */
export function renderExportLinks(container, sessionId, formats) {
  const links = formats.map(({ format, label }) => {
    const attrs = { 'data-format': format };
    if (sessionId) {
      attrs.href = urls.exportFile(sessionId, format);
      attrs.download = '';
    } else {
      attrs['aria-disabled'] = 'true';
    }
    return el('a', {
      className: `button small export${sessionId ? '' : ' disabled'}`,
      text: label,
      attrs: { ...attrs, 'aria-label': `Export as ${label} (${format})` },
    });
  });
  container.replaceChildren(...links);
}
