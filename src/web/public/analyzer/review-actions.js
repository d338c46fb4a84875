// Review actions on one question: accept, edit (answer text, pages, note), reject, reset — through
// POST /api/review/:session_id/:question_id, which answers with the question as the results now show it. A
// stale action (someone reviewed the question meanwhile) is refused with 409 REVIEW_CONFLICT and the current
// question: it is shown next to what was tried, and the user may retry on top of it or keep it.
// Also the cursor (the question the keyboard acts on) and the history of a question.
import { requestJson, urls } from '../api.js';
import { store } from './store.js';
import { selectQueue } from './review-queue.js';
import { followCursor } from './viewer-pane.js';

const REVIEW_CONFLICT = 'REVIEW_CONFLICT';

function without(map, key) {
  if (!(key in map)) return map;
  const next = { ...map };
  delete next[key];
  return next;
}

function findQuestion(state, questionId) {
  for (const section of (state.results.result && state.results.result.sections) || []) {
    for (const q of section.questions || []) if (q.question_id === questionId) return q;
  }
  return null;
}

/** The result with one question replaced (only its section's array is new: other rows keep their identity). */
function withQuestion(result, question) {
  if (!result || !question) return result;
  return {
    ...result,
    sections: result.sections.map((section) => {
      const i = (section.questions || []).findIndex((q) => q.question_id === question.question_id);
      if (i < 0) return section;
      const questions = section.questions.slice();
      // The server's question whole, not merged into the old one: a field the review removed (variants shown
      // before a reject, machine_answer after a reset) must not linger on screen.
      questions[i] = question;
      return { ...section, questions };
    }),
  };
}

export function replaceQuestion(question) {
  store.update('results', (r) => ({ result: withQuestion(r.result, question) }));
}

/** Parse "3, 5-7" into [3, 5, 6, 7]; null when it is not a list of page numbers. */
export function parsePages(text) {
  const pages = [];
  for (const part of String(text)
    .split(/[\s,;]+/)
    .filter(Boolean)) {
    const range = /^(\d+)(?:[-–](\d+))?$/.exec(part);
    if (!range) return null;
    const from = Number(range[1]);
    const to = range[2] ? Number(range[2]) : from;
    if (from < 1 || to < from || to - from > 500) return null;
    for (let p = from; p <= to; p++) if (!pages.includes(p)) pages.push(p);
  }
  return pages;
}

/**
 * Send one review action. `fields`: {answer?, pages?, note?}. Resolves true when the server took it.
 */
export async function sendReview(questionId, action, fields = {}) {
  const state = store.get();
  const sessionId = state.run.sessionId;
  const question = findQuestion(state, questionId);
  if (!sessionId || !question || state.review.pending[questionId]) return false;
  // The review this action builds on (null: none yet): if someone reviewed the question since, the server
  // refuses with 409 REVIEW_CONFLICT instead of silently replacing their review.
  const body = { action, ...fields, base_review_id: (question.review && question.review.review_id) ?? null };
  // An accept names the answer on screen: if a running pass changed it meanwhile, the server refuses (409).
  if (action === 'accept') body.expected_answer = question.answer ?? null;
  store.update('review', (r) => ({
    pending: { ...r.pending, [questionId]: action },
    errors: without(r.errors, questionId),
  }));
  try {
    const reply = await requestJson(urls.review(sessionId, questionId), { method: 'POST', body });
    if (store.get().run.sessionId !== sessionId) return false;
    replaceQuestion(reply.question);
    store.update('review', (r) => ({
      pending: without(r.pending, questionId),
      conflicts: without(r.conflicts, questionId),
      history: without(r.history, questionId),
      editing: r.editing === questionId ? null : r.editing,
    }));
    return true;
  } catch (err) {
    if (store.get().run.sessionId !== sessionId) return false;
    const theirs =
      err.code === REVIEW_CONFLICT
        ? (err.body && err.body.question) || (err.details && err.details.question) || null
        : null;
    if (theirs) replaceQuestion(theirs);
    store.update('review', (r) => ({
      pending: without(r.pending, questionId),
      // Open the row so the problem is seen even when the cursor has moved on.
      expanded: r.expanded.includes(questionId) ? r.expanded : [...r.expanded, questionId],
      conflicts:
        err.code === REVIEW_CONFLICT
          ? { ...r.conflicts, [questionId]: { mine: { action, ...fields }, theirs } }
          : r.conflicts,
      errors: err.code === REVIEW_CONFLICT ? r.errors : { ...r.errors, [questionId]: reviewErrorMessage(err) },
      history: without(r.history, questionId),
    }));
    return false;
  }
}

function reviewErrorMessage(err) {
  if (err.status === 404 && err.code !== 'SESSION_NOT_FOUND') return 'Reviewing is not available on this server yet.';
  return `Could not save the review: ${err.message}`;
}

/** After a 409: send what was refused again, on top of the question as it is now. */
export function retryConflict(questionId) {
  const conflict = store.get().review.conflicts[questionId];
  if (!conflict) return;
  const { action, ...fields } = conflict.mine;
  void sendReview(questionId, action, fields);
}

export function dismissConflict(questionId) {
  store.update('review', (r) => ({ conflicts: without(r.conflicts, questionId) }));
}

export async function loadHistory(questionId) {
  const sessionId = store.get().run.sessionId;
  if (!sessionId) return;
  store.update('review', (r) => ({
    history: { ...r.history, [questionId]: { loading: true, entries: [], error: '' } },
  }));
  try {
    const reply = await requestJson(urls.reviewHistory(sessionId, questionId));
    store.update('review', (r) => ({
      history: { ...r.history, [questionId]: { loading: false, entries: reply.history || [], error: '' } },
    }));
  } catch (err) {
    store.update('review', (r) => ({
      history: { ...r.history, [questionId]: { loading: false, entries: [], error: err.message } },
    }));
  }
}

// ---------- cursor ----------

export function setCursor(questionId) {
  store.update('review', { cursor: questionId });
}

/** Move the cursor `step` questions along the queue as shown (collapsed sections are skipped). */
export function moveCursor(step) {
  const state = store.get();
  const visible = visibleQueue(state);
  if (visible.length === 0) return;
  const at = visible.findIndex((e) => e.q.question_id === state.review.cursor);
  let next;
  if (at < 0) next = step > 0 ? 0 : visible.length - 1;
  else next = Math.max(0, Math.min(visible.length - 1, at + step));
  setCursor(visible[next].q.question_id);
  followCursor();
}

/** The id after the cursor (where accept/reject move on to), or the cursor itself at the end. */
export function nextQuestionId(state) {
  const visible = visibleQueue(state);
  const at = visible.findIndex((e) => e.q.question_id === state.review.cursor);
  if (at < 0) return state.review.cursor;
  return (visible[at + 1] || visible[at]).q.question_id;
}

export function visibleQueue(state) {
  const queue = selectQueue(state);
  if (state.review.filters.order !== 'document' || state.review.collapsed.length === 0) return queue;
  const collapsed = new Set(state.review.collapsed);
  return queue.filter((e) => !collapsed.has(e.sectionId));
}

export function currentQuestion(state) {
  return state.review.cursor ? findQuestion(state, state.review.cursor) : null;
}

/** Accept or reject the current question and move on to the next one. */
export function reviewAndAdvance(action, note) {
  const state = store.get();
  const id = state.review.cursor;
  if (!id) return;
  const next = nextQuestionId(state);
  void sendReview(id, action, note ? { note } : {});
  if (next && next !== id) {
    setCursor(next);
    followCursor();
  }
}

export function startEditing(questionId) {
  store.update('review', (r) => ({
    editing: questionId,
    cursor: questionId,
    expanded: r.expanded.includes(questionId) ? r.expanded : [...r.expanded, questionId],
  }));
}

export function stopEditing() {
  store.update('review', { editing: null });
}
