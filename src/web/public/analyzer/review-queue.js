// The review queue over the results: which questions are shown and in what order (filters by section, answer
// status, review status and confidence band; text search over questions and answers; document order or low
// confidence first), the "37 of 100 reviewed" counter, and the filter controls. The selectors are pure and
// memoised on the identity of the result and the filters, so stepping through 1,000 questions recomputes nothing.
import { byId, debounce, el } from '../dom.js';
import { CONFIDENCE_BAND_LABELS, confidenceBand } from '../results-view.js';
import { store } from './store.js';

const SEARCH_DEBOUNCE_MS = 150;

export const ANSWER_STATUS_LABELS = { answered: 'Answered', not_found: 'Not found', not_examined: 'Not examined' };
export const REVIEW_STATUS_LABELS = {
  unreviewed: 'Unreviewed',
  accepted: 'Accepted',
  edited: 'Edited',
  rejected: 'Rejected',
};

const ui = {
  section: byId('filter-section'),
  answer: byId('filter-answer'),
  review: byId('filter-review'),
  band: byId('filter-band'),
  order: byId('filter-order'),
  search: byId('filter-search'),
  clear: byId('filter-clear'),
  box: byId('queue-filters'),
  toggle: byId('filters-toggle'),
  counter: byId('review-counter'),
  shown: byId('queue-count'),
};

export function answerStatus(question, running) {
  if (question.answer !== null && question.answer !== undefined) return 'answered';
  if (running) return 'pending';
  return question.answer_status === 'not_examined' ? 'not_examined' : 'not_found';
}

export function reviewStatus(question) {
  const status = question.review && question.review.status;
  return status === 'accepted' || status === 'edited' || status === 'rejected' ? status : 'unreviewed';
}

let entriesFor = null;
let entriesCache = [];

/** Every question of the result, in document order, with what the filters look at (memoised per result). */
export function allEntries(result, running, passQuestions = null) {
  if (
    entriesFor &&
    entriesFor.result === result &&
    entriesFor.running === running &&
    entriesFor.passQuestions === passQuestions
  )
    return entriesCache;
  // While a re-run pass runs, only its questions are waiting for an answer; the others keep theirs.
  const waiting = running && passQuestions ? new Set(passQuestions) : null;
  const entries = [];
  for (const section of (result && result.sections) || []) {
    for (const q of section.questions || []) {
      const machine = q.machine_answer && q.machine_answer.answer ? ` ${q.machine_answer.answer}` : '';
      entries.push({
        sectionId: section.section_id,
        sectionName: section.section_name,
        q,
        index: entries.length,
        status: answerStatus(q, waiting ? waiting.has(q.question_id) : running),
        review: reviewStatus(q),
        band: q.answer === null || q.answer === undefined ? 'none' : confidenceBand(q.confidence),
        haystack: `${q.question_id} ${q.question || ''} ${q.answer || ''}${machine}`.toLowerCase(),
      });
    }
  }
  entriesFor = { result, running, passQuestions };
  entriesCache = entries;
  return entries;
}

function matches(entry, f, words) {
  if (f.section && entry.sectionId !== f.section) return false;
  if (f.answer && entry.status !== f.answer) return false;
  if (f.review && entry.review !== f.review) return false;
  if (f.band && entry.band !== f.band) return false;
  for (const word of words) if (!entry.haystack.includes(word)) return false;
  return true;
}

let queueFor = null;
let queueCache = [];

/** The questions to show, in order (memoised on the result and the filters). */
export function selectQueue(state) {
  const { result, running, passQuestions } = state.results;
  const filters = state.review.filters;
  if (
    queueFor &&
    queueFor.result === result &&
    queueFor.running === running &&
    queueFor.passQuestions === passQuestions &&
    queueFor.filters === filters
  )
    return queueCache;
  const words = filters.q.toLowerCase().split(/\s+/).filter(Boolean);
  let queue = allEntries(result, running, passQuestions).filter((e) => matches(e, filters, words));
  if (filters.order === 'confidence') {
    // Answers with a confidence, weakest first; then the questions without one, in document order.
    const rank = (e) => (e.band === 'none' ? Number.POSITIVE_INFINITY : Number(e.q.confidence));
    queue = [...queue].sort((a, b) => rank(a) - rank(b) || a.index - b.index);
  }
  queueFor = { result, running, passQuestions, filters };
  queueCache = queue;
  return queue;
}

export function reviewCounts(state) {
  const entries = allEntries(state.results.result, state.results.running, state.results.passQuestions);
  return { reviewed: entries.filter((e) => e.review !== 'unreviewed').length, total: entries.length };
}

export function filtersActive(filters) {
  return Boolean(filters.section || filters.answer || filters.review || filters.band || filters.q);
}

function setFilter(patch) {
  store.update('review', (r) => ({ filters: { ...r.filters, ...patch } }));
}

function fillSelect(select, options) {
  const value = select.value;
  select.replaceChildren(...options.map(([v, label]) => el('option', { text: label, attrs: { value: v } })));
  select.value = options.some(([v]) => v === value) ? value : '';
}

export function initReviewQueue() {
  fillSelect(ui.answer, [['', 'All'], ...Object.entries(ANSWER_STATUS_LABELS)]);
  fillSelect(ui.review, [['', 'All'], ...Object.entries(REVIEW_STATUS_LABELS)]);
  fillSelect(ui.band, [['', 'All'], ...Object.entries(CONFIDENCE_BAND_LABELS)]);
  ui.toggle.addEventListener('click', () => store.update('review', (r) => ({ filtersOpen: !r.filtersOpen })));
  ui.section.addEventListener('change', () => setFilter({ section: ui.section.value }));
  ui.answer.addEventListener('change', () => setFilter({ answer: ui.answer.value }));
  ui.review.addEventListener('change', () => setFilter({ review: ui.review.value }));
  ui.band.addEventListener('change', () => setFilter({ band: ui.band.value }));
  ui.order.addEventListener('change', () => setFilter({ order: ui.order.value }));
  const onSearch = debounce(() => setFilter({ q: ui.search.value.trim() }), SEARCH_DEBOUNCE_MS);
  ui.search.addEventListener('input', onSearch);
  ui.clear.addEventListener('click', () => {
    onSearch.cancel();
    ui.search.value = '';
    setFilter({ section: '', answer: '', review: '', band: '', q: '' });
  });
}

let drawnSectionsOf;

export function renderReviewQueue(state, prev) {
  const f = state.review.filters;
  if (state.results.result !== drawnSectionsOf) {
    drawnSectionsOf = state.results.result;
    const sections = ((state.results.result && state.results.result.sections) || []).map((s) => [
      s.section_id,
      s.section_name,
    ]);
    fillSelect(ui.section, [['', 'All sections'], ...sections]);
  }
  const open = state.review.filtersOpen;
  ui.box.classList.toggle('collapsed', !open);
  ui.toggle.setAttribute('aria-expanded', String(open));
  const active = ['section', 'answer', 'review', 'band'].filter((k) => f[k]).length + (f.order !== 'document' ? 1 : 0);
  ui.toggle.textContent = active ? `Filters (${active})` : 'Filters';
  if (prev && state.results === prev.results && state.review.filters === prev.review.filters) return;
  ui.section.value = f.section;
  ui.answer.value = f.answer;
  ui.review.value = f.review;
  ui.band.value = f.band;
  ui.order.value = f.order;
  if (ui.search.value.trim() !== f.q && document.activeElement !== ui.search) ui.search.value = f.q;
  ui.clear.disabled = !filtersActive(f);
  const { reviewed, total } = reviewCounts(state);
  ui.counter.textContent = `${reviewed} of ${total} reviewed`;
  const shown = selectQueue(state).length;
  ui.shown.textContent = shown === total ? `${total} questions` : `Showing ${shown} of ${total} questions`;
}
