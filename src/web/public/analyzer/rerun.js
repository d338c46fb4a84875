// Re-running what is weak: the "Re-run…" panel takes the questions the review queue shows (its filters: e.g.
// rejected, unreviewed, low confidence), lets the user pick the engine and thorough mode, and posts
// POST /api/rerun/:session_id. The page then follows the pass like a run (session.js / progress.js). Which pass
// produced each answer, and the answers a pass replaced, come from GET /api/rerun/:session_id (whole session after
// a run ends; `?question_id=` when a question's history is asked for).
import { requestJson } from '../api.js';
import { byId, el, formatNumber, isRunning } from '../dom.js';
import { store } from './store.js';
import { reviewStatus, selectQueue } from './review-queue.js';

/** The API takes at most this many question ids per pass. */
export const MAX_RERUN_QUESTIONS = 1000;

const ui = {
  button: byId('rerun-button'),
  panel: byId('rerun-panel'),
  summary: byId('rerun-summary'),
  engine: byId('rerun-engine'),
  thorough: byId('rerun-thorough'),
  submit: byId('rerun-submit'),
  cancel: byId('rerun-cancel'),
  error: byId('rerun-error'),
  notice: byId('rerun-notice'),
};

let onQueued = () => {};

const rerunUrl = (sessionId, questionId) =>
  `/api/rerun/${encodeURIComponent(sessionId)}${questionId ? `?question_id=${encodeURIComponent(questionId)}` : ''}`;

/** What "Re-run" would send now: the shown questions (capped), and how many of them a pass skips (reviewed). */
export function rerunTargets(state) {
  const queue = selectQueue(state);
  const shown = queue.slice(0, MAX_RERUN_QUESTIONS);
  const skipped = shown.filter((e) => {
    const review = reviewStatus(e.q);
    return review === 'accepted' || review === 'edited';
  }).length;
  return {
    ids: shown.map((e) => e.q.question_id),
    total: queue.length,
    capped: queue.length > MAX_RERUN_QUESTIONS,
    skipped,
  };
}

export function canRerun(state) {
  return (
    Boolean(state.run.sessionId) &&
    Boolean(state.run.status) &&
    !isRunning(state.run.status) &&
    !state.run.notFound &&
    !state.rerun.sending
  );
}

function errorMessage(err) {
  switch (err.code) {
    case 'SESSION_RUNNING':
      return `The analysis is running; re-run once it has finished. (${err.message})`;
    case 'NOTHING_TO_RERUN':
      return `Nothing to re-run: ${err.message}`;
    case 'QUESTION_UNKNOWN': {
      const unknown =
        err.details && Array.isArray(err.details.unknown) ? ` (${err.details.unknown.slice(0, 10).join(', ')})` : '';
      return `${err.message}${unknown}`;
    }
    default:
      return `Could not re-run: ${err.message}`;
  }
}

function describeQueued(reply) {
  const n = reply.question_ids.length;
  const skipped = reply.skipped.length;
  const engine = reply.engine ? ` with the ${reply.engine} engine${reply.thorough ? ', thorough' : ''}` : '';
  return `Pass ${reply.pass} queued: ${formatNumber(n)} question${n === 1 ? '' : 's'}${engine}${skipped ? `; ${formatNumber(skipped)} skipped (accepted or edited answers are never re-run)` : ''}.`;
}

async function submitRerun() {
  const state = store.get();
  const sessionId = state.run.sessionId;
  if (!canRerun(state)) return;
  const { ids } = rerunTargets(state);
  if (ids.length === 0) {
    store.update('rerun', { error: 'No question is shown: change the filters to choose the questions to re-run.' });
    return;
  }
  const body = { question_ids: ids, thorough: state.rerun.thorough };
  if (state.rerun.engine) body.engine = state.rerun.engine;
  store.update('rerun', { sending: true, error: '', notice: '' });
  try {
    const reply = await requestJson(rerunUrl(sessionId), { method: 'POST', body });
    if (store.get().run.sessionId !== sessionId) return;
    store.update('rerun', { sending: false, open: false, notice: describeQueued(reply), currentPass: reply.pass });
    onQueued(sessionId, reply);
  } catch (err) {
    if (store.get().run.sessionId !== sessionId) return;
    store.update('rerun', { sending: false, error: errorMessage(err) });
  }
}

/** Index the versions of GET /api/rerun (all questions, or the ones asked for) into the rerun slice's maps. */
function indexVersions(history) {
  const byQuestion = new Map();
  for (const v of history || []) {
    const list = byQuestion.get(v.question_id) || [];
    list.push(v);
    byQuestion.set(v.question_id, list);
  }
  const passOf = {};
  const earlier = {};
  const changed = {};
  for (const [id, versions] of byQuestion) {
    versions.sort((a, b) => a.pass - b.pass || String(a.answered_at).localeCompare(String(b.answered_at)));
    const current = versions.filter((v) => v.current).pop() || null;
    const replaced = versions.filter((v) => !v.current);
    if (current && current.pass > 1) {
      passOf[id] = current.pass;
      const before = replaced[replaced.length - 1];
      changed[id] = !before || before.answer !== current.answer;
    }
    if (replaced.length) earlier[id] = replaced;
  }
  return { passOf, earlier, changed, ids: [...byQuestion.keys()] };
}

/** Which pass produced which answer: the whole session (after a run or a pass ends). */
export async function loadPasses(sessionId) {
  let reply;
  try {
    reply = await requestJson(rerunUrl(sessionId));
  } catch {
    return; // markers are an extra: the results are on screen either way
  }
  if (store.get().run.sessionId !== sessionId) return;
  const { passOf, earlier, changed } = indexVersions(reply.history);
  const current = (reply.passes || []).find((p) => p.pass === reply.current_pass);
  store.update('rerun', { passOf, earlier, changed, loadedFor: sessionId, currentPass: reply.current_pass || 1 });
  // A reopened page during a pass: only that pass's questions are waiting for an answer.
  if (current && isRunning(current.status) && Array.isArray(current.question_ids))
    store.update('results', { passQuestions: current.question_ids });
}

/** One question's answers across passes (its detail's "Earlier passes"), fresh from the server. */
export async function loadQuestionPasses(sessionId, questionId) {
  let reply;
  try {
    reply = await requestJson(rerunUrl(sessionId, questionId));
  } catch {
    return;
  }
  if (store.get().run.sessionId !== sessionId) return;
  const { passOf, earlier, changed } = indexVersions((reply.history || []).filter((v) => v.question_id === questionId));
  store.update('rerun', (r) => {
    const next = { passOf: { ...r.passOf }, earlier: { ...r.earlier }, changed: { ...r.changed } };
    for (const key of ['passOf', 'earlier', 'changed']) {
      delete next[key][questionId];
      const value = { passOf, earlier, changed }[key][questionId];
      if (value !== undefined) next[key][questionId] = value;
    }
    return next;
  });
}

function engineOptions(engines, sessionEngine) {
  const own = sessionEngine ? `Same as before (${sessionEngine})` : 'Same as before';
  const options = [el('option', { text: own, attrs: { value: '' } })];
  for (const e of engines) {
    const label =
      e.name === 'llm'
        ? e.available
          ? `LLM${e.model ? ` (${e.model})` : ''}`
          : 'LLM — not configured'
        : e.label || e.name;
    const option = el('option', { text: label, attrs: { value: e.name } });
    option.disabled = !e.available;
    options.push(option);
  }
  return options;
}

export function initRerun({ queued }) {
  onQueued = queued;
  ui.button.addEventListener('click', () =>
    store.update('rerun', (r, state) =>
      r.open
        ? { open: false, error: '' }
        : {
            open: true,
            error: '',
            notice: '',
            engine: '',
            thorough: Boolean(state.run.session && state.run.session.thorough),
          },
    ),
  );
  ui.cancel.addEventListener('click', () => {
    store.update('rerun', { open: false, error: '' });
    ui.button.focus();
  });
  ui.engine.addEventListener('change', () => store.update('rerun', { engine: ui.engine.value }));
  ui.thorough.addEventListener('change', () => store.update('rerun', { thorough: ui.thorough.checked }));
  ui.panel.addEventListener('submit', (event) => {
    event.preventDefault();
    void submitRerun();
  });
}

let drawnEnginesFor = null;

export function renderRerun(state, prev) {
  const r = state.rerun;
  const possible = canRerun(state);
  ui.button.hidden = !state.run.sessionId;
  ui.button.disabled = !possible && !r.open;
  ui.button.setAttribute('aria-expanded', String(r.open));
  ui.notice.textContent = r.notice;
  ui.notice.hidden = !r.notice;
  ui.error.textContent = r.error;
  ui.error.hidden = !r.error;
  ui.panel.hidden = !r.open;
  if (!r.open) return;
  const sessionEngine = state.run.session && state.run.session.engine;
  const key = `${sessionEngine}`;
  if (!prev || !prev.rerun.open || state.setup.engines !== prev.setup.engines || drawnEnginesFor !== key) {
    drawnEnginesFor = key;
    ui.engine.replaceChildren(...engineOptions(state.setup.engines, sessionEngine));
  }
  if (ui.engine.value !== r.engine) ui.engine.value = r.engine;
  ui.thorough.checked = r.thorough;
  const { ids, total, capped, skipped } = rerunTargets(state);
  const parts = [];
  if (total === 0) parts.push('No question is shown: change the filters to choose the questions to re-run.');
  else
    parts.push(
      `Re-runs the ${formatNumber(total)} question${total === 1 ? '' : 's'} shown by the filters as a new pass of this analysis.`,
    );
  if (capped) parts.push(`Only the first ${formatNumber(MAX_RERUN_QUESTIONS)} are sent.`);
  parts.push(
    `Accepted and edited answers are skipped: a re-run never overwrites a reviewed answer${skipped ? ` (${formatNumber(skipped)} of these)` : ''}; rejected and unreviewed ones are asked again, and the answers they replace stay in each question's history.`,
  );
  ui.summary.textContent = parts.join(' ');
  const n = ids.length - skipped;
  ui.submit.disabled = !possible || ids.length === 0 || n === 0;
  ui.submit.textContent = r.sending ? 'Starting…' : `Re-run ${formatNumber(n)} question${n === 1 ? '' : 's'}`;
  if (prev && !prev.rerun.open) ui.engine.focus();
}
