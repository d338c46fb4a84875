// The attached session (a run started here, or reopened from /analyzer?session=ID): its results from
// GET /api/results (the truth, refetched when the event stream says answers changed), the status banner,
// statistics, exports and Stop. A reopened session shows its results straight away; the setup form is folded
// away behind "New analysis".
import { EXPORT_FORMATS, requestJson, urls } from '../api.js';
import { byId, debounce, el, fillDefinitionList, formatCost, formatDuration, formatNumber, isRunning } from '../dom.js';
import { renderExportLinks } from '../results-view.js';
import { store } from './store.js';
import { canStop, initialState } from './state.js';
import { closeViewer } from './viewer-pane.js';
import { closeStream, hasStream, initProgress, loadEventsOnce, openStream, terminalProgress } from './progress.js';
import { loadPasses } from './rerun.js';

// Many answers can arrive within a second; one results fetch per burst is enough.
const RESULTS_REFRESH_DEBOUNCE_MS = 300;
// After a terminal event the results row may trail by a moment; retry this often, this many times.
const TERMINAL_RESULTS_RETRY_MS = 400;
const TERMINAL_RESULTS_MAX_RETRIES = 10;

const ui = {
  form: byId('analyze-form'),
  setupSummary: byId('setup-summary'),
  newAnalysis: byId('new-analysis'),
  run: byId('run'),
  sessionLink: byId('session-link'),
  banner: byId('banner'),
  stopButton: byId('stop-button'),
  exports: byId('exports'),
  runError: byId('run-error'),
  statistics: byId('statistics'),
  review: byId('review'),
};

let resultsToken = 0;
let terminalRetries = 0;
let sawTerminal = false;
/** The session whose passes were asked for while it was running (reopened mid-pass). */
let passesAskedFor = null;

const scheduleResultsRefresh = debounce(() => void refreshResults(), RESULTS_REFRESH_DEBOUNCE_MS);

export function attachSession(sessionId, { status = null, pendingResult = null, push = false } = {}) {
  closeStream();
  scheduleResultsRefresh.cancel();
  terminalRetries = 0;
  sawTerminal = false;
  if (push) history.pushState({ session: sessionId }, '', urls.analyzerSession(sessionId));
  const fresh = initialState();
  store.replace((state) => ({
    ...state,
    setup: { ...state.setup, view: 'session' },
    run: { ...fresh.run, sessionId, status, step: status ? 'Waiting for the run to start…' : '' },
    results: { ...fresh.results, result: pendingResult, running: Boolean(pendingResult) },
    review: { ...fresh.review, filters: state.review.filters },
    rerun: fresh.rerun,
  }));
  void refreshResults().then(() => {
    const run = store.get().run;
    if (run.sessionId !== sessionId) return;
    if (isRunning(run.status)) openStream(sessionId);
    else if (run.status) void loadEventsOnce(sessionId).then(() => applyTerminalProgress());
  });
}

/** Back to the form for a new analysis (the chosen PDF and options stay). */
export function detachSession({ push = true } = {}) {
  closeStream();
  closeViewer();
  scheduleResultsRefresh.cancel();
  resultsToken++;
  if (push) history.pushState({}, '', '/analyzer');
  const fresh = initialState();
  store.replace((state) => ({
    ...state,
    setup: { ...state.setup, view: 'setup' },
    run: fresh.run,
    results: fresh.results,
    review: { ...fresh.review, filters: state.review.filters },
    rerun: fresh.rerun,
  }));
}

function applyTerminalProgress() {
  const run = store.get().run;
  if (isRunning(run.status)) return;
  const patch = terminalProgress(run);
  if (patch) store.update('run', patch);
}

export async function refreshResults() {
  const sessionId = store.get().run.sessionId;
  if (!sessionId) return;
  const token = ++resultsToken;
  let reply;
  try {
    reply = await requestJson(`/api/results/${encodeURIComponent(sessionId)}`);
  } catch (err) {
    if (token !== resultsToken || store.get().run.sessionId !== sessionId) return;
    if (err.status === 404) {
      closeStream();
      store.update('run', {
        status: null,
        notFound: err.message || 'This analysis does not exist (it may have been deleted).',
      });
      store.update('results', { result: { sections: [] }, running: false });
    } else {
      store.update('run', { error: `Could not load results: ${err.message}` });
    }
    return;
  }
  if (token !== resultsToken || store.get().run.sessionId !== sessionId) return; // superseded
  const running = isRunning(reply.status);
  store.update('run', (run) => ({
    status: reply.status,
    error: '',
    session: reply.session || null,
    statistics: reply.statistics || null,
    stopping: running ? run.stopping : false,
  }));
  store.update('results', (r) => ({ result: keepUnchanged(r.result, reply.result || { sections: [] }), running }));
  if (running && sawTerminal) {
    // The stream said it ended but the results row trails a moment: look again shortly.
    if (terminalRetries < TERMINAL_RESULTS_MAX_RETRIES) {
      terminalRetries += 1;
      setTimeout(() => void refreshResults(), TERMINAL_RESULTS_RETRY_MS);
    }
  } else if (running) {
    if (!hasStream() && store.get().run.lastEventIndex >= 0) openStream(sessionId);
    // Reopened during a re-run pass: learn its questions (only they are pending), once.
    if (reply.session && reply.session.pass > 1 && !store.get().results.passQuestions && passesAskedFor !== sessionId) {
      passesAskedFor = sessionId;
      void loadPasses(sessionId);
    }
  } else {
    closeStream();
    applyTerminalProgress();
    store.update('results', { passQuestions: null });
    // Which pass produced which answer ("pass 2" markers, earlier answers): only re-run sessions have any.
    if (reply.session && reply.session.pass > 1) void loadPasses(sessionId);
  }
}

/**
 * A re-run pass was queued (POST /api/rerun answered 202): follow it like a run. The event log goes on from
 * where the page read it, so the stream resumes after the last event seen and shows only the pass's events.
 */
export function followPass(sessionId, reply) {
  if (store.get().run.sessionId !== sessionId) return;
  scheduleResultsRefresh.cancel();
  terminalRetries = 0;
  sawTerminal = false;
  store.update('run', {
    status: reply.status || 'queued',
    stopping: false,
    error: '',
    failureReason: null,
    percent: 0,
    totalWindows: 0,
    doneWindows: [],
    step: `Pass ${reply.pass} queued: waiting for a worker…`,
  });
  store.update('results', { running: true, passQuestions: reply.question_ids });
  // The stream's events say when to refetch (and its end refetches the results): refetching now could see the
  // pass already finished and close the stream before its events are shown.
  openStream(sessionId);
}

/**
 * The new result, with every question (and section) that did not change kept as the very object already on
 * screen: rows are keyed on object identity, so a refetch redraws only the questions that changed.
 */
export function keepUnchanged(prev, next) {
  if (!prev || !prev.sections || !next || !next.sections) return next;
  const before = new Map();
  for (const section of prev.sections) for (const q of section.questions || []) before.set(q.question_id, q);
  let same = prev.sections.length === next.sections.length;
  const sections = next.sections.map((section, i) => {
    let sectionSame =
      same &&
      prev.sections[i].section_id === section.section_id &&
      (prev.sections[i].questions || []).length === (section.questions || []).length;
    const questions = (section.questions || []).map((q, j) => {
      const old = before.get(q.question_id);
      const kept = old && JSON.stringify(old) === JSON.stringify(q) ? old : q;
      if (!sectionSame || prev.sections[i].questions[j] !== kept) sectionSame = false;
      return kept;
    });
    if (sectionSame && prev.sections[i].section_name === section.section_name) return prev.sections[i];
    same = false;
    return { ...section, questions };
  });
  return { ...next, sections };
}

async function stopAnalysis() {
  const { sessionId, status } = store.get().run;
  if (!sessionId || !isRunning(status)) return;
  store.update('run', { stopping: true });
  try {
    const reply = await requestJson(`/api/stop/${encodeURIComponent(sessionId)}`, { method: 'POST' });
    if (store.get().run.sessionId !== sessionId) return;
    if (reply.status && !isRunning(reply.status)) void refreshResults();
  } catch (err) {
    if (store.get().run.sessionId !== sessionId) return;
    store.update('run', { stopping: false, error: `Could not stop: ${err.message}` });
  }
}

export function initSession() {
  initProgress({
    answersChanged: () => scheduleResultsRefresh(),
    terminal: () => {
      sawTerminal = true;
      scheduleResultsRefresh.cancel();
      void refreshResults();
    },
  });
  ui.stopButton.addEventListener('click', () => void stopAnalysis());
  ui.newAnalysis.addEventListener('click', () => {
    detachSession();
    ui.form.querySelector('#pdf-input').focus();
  });
  window.addEventListener('popstate', () => {
    const id = new URLSearchParams(location.search).get('session');
    if (id && id !== store.get().run.sessionId) attachSession(id);
    else if (!id && store.get().run.sessionId) detachSession({ push: false });
  });
}

function banner(kind, title, detail) {
  ui.banner.className = `banner banner-${kind}`;
  ui.banner.replaceChildren(el('strong', { text: title }), detail ? el('span', { text: ` — ${detail}` }) : null);
  ui.banner.hidden = false;
}

function renderBanner(run) {
  if (run.notFound) {
    banner('error', 'Not found', run.notFound);
    return;
  }
  const session = run.session || {};
  const stats = run.statistics || {};
  const counts =
    stats.total_questions !== undefined
      ? `${stats.questions_answered} of ${stats.total_questions} questions answered`
      : '';
  switch (run.status) {
    case 'queued':
      banner('info', 'Queued', 'waiting for a worker to pick up the analysis.');
      break;
    case 'active':
      banner('info', 'Running', counts ? `${counts} so far.` : 'answers appear below as they are found.');
      break;
    case 'completed':
      banner(
        'ok',
        'Complete',
        `${counts}${stats.processing_time !== undefined ? ` in ${formatDuration(stats.processing_time)}` : ''}.`,
      );
      break;
    case 'partial':
      banner(
        'warn',
        'Partial',
        `${session.error || 'stopped before the end'}; ${counts || 'answers so far are kept'}. Exports are labelled PARTIAL.`,
      );
      break;
    case 'failed':
      banner('error', 'Failed', session.error || run.failureReason || 'the analysis could not finish.');
      break;
    default:
      ui.banner.hidden = true;
  }
}

function renderStatistics(run, result) {
  if (!run.statistics) {
    ui.statistics.hidden = true;
    return;
  }
  const stats = run.statistics;
  const session = run.session || {};
  fillDefinitionList(ui.statistics, [
    ['Document', session.document_name || (result && result.document_name) || '—'],
    ['Pages', formatNumber(session.total_pages ?? (result && result.total_pages))],
    ['Answered', stats.total_questions !== undefined ? `${stats.questions_answered} / ${stats.total_questions}` : '—'],
    ['Average confidence', stats.average_confidence || '—'],
    ['Processing time', formatDuration(stats.processing_time)],
    ['Tokens', formatNumber(stats.total_tokens)],
    ['Cost', formatCost(stats.estimated_cost)],
    ['Engine', session.engine ? `${session.engine}${session.model ? ` (${session.model})` : ''}` : '—'],
  ]);
  ui.statistics.hidden = false;
}

let linkedSession = null;

export function renderSession(state, prev) {
  const view = state.setup.view;
  ui.form.hidden = view !== 'setup';
  ui.setupSummary.hidden = view === 'setup';
  const run = state.run;
  ui.run.hidden = !run.sessionId;
  ui.stopButton.disabled = !canStop(state);
  ui.stopButton.textContent = run.stopping && isRunning(run.status) ? 'Stopping…' : 'Stop';
  ui.newAnalysis.disabled = isRunning(run.status);
  if (prev && run === prev.run && state.results.result === prev.results.result) return;
  if (linkedSession !== run.sessionId) {
    linkedSession = run.sessionId;
    renderExportLinks(ui.exports, run.sessionId, EXPORT_FORMATS);
    if (run.sessionId) {
      const link = el('a', { text: run.sessionId, attrs: { href: urls.analyzerSession(run.sessionId) } });
      ui.sessionLink.replaceChildren('Session ', link, ' — this link reopens the analysis from any machine.');
    } else {
      ui.sessionLink.replaceChildren();
    }
  }
  if (!run.sessionId) return;
  renderBanner(run);
  renderStatistics(run, state.results.result);
  ui.runError.textContent = run.error;
  ui.runError.hidden = !run.error;
  ui.review.hidden = run.notFound !== '';
}
