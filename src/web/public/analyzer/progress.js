// Following a run: the event stream (EventSource on /api/progress/:id, resuming by Last-Event-ID), falling
// back to polling /api/events/:id, turned into the progress bar and step text. The events only say *when* to
// refetch the results (the truth); they never edit rows themselves.
import { requestJson, urls } from '../api.js';
import { byId, formatNumber, isRunning } from '../dom.js';
import { store } from './store.js';
import { TERMINAL_EVENTS } from '../events.js';

// Polling cadence when EventSource is unavailable or gave up.
const EVENTS_POLL_INTERVAL_MS = 1500;

const ui = {
  bar: byId('progress-bar'),
  fill: byId('progress-fill'),
  step: byId('progress-step'),
};

let eventSource = null;
let pollTimer = null;
let hooks = { answersChanged: () => {}, terminal: () => {} };

export function initProgress(h) {
  hooks = h;
}

export function hasStream() {
  return Boolean(eventSource || pollTimer);
}

function windowPercent(run) {
  if (!run.totalWindows) return 5;
  return 5 + (90 * run.doneWindows.length) / run.totalWindows;
}

function setProgress(run, percent, step) {
  return { ...run, percent, step: step === undefined ? run.step : step };
}

/** The run slice after one event (pure). */
export function applyEventToRun(run, event) {
  if (typeof event.index === 'number') {
    if (event.index <= run.lastEventIndex) return run; // a replay after reconnect
    run = { ...run, lastEventIndex: event.index };
  }
  switch (event.event) {
    case 'pass_queued': {
      // A re-run: a new pass of the same session; its progress starts from zero.
      const n = Array.isArray(event.question_ids) ? event.question_ids.length : 0;
      run = { ...run, totalWindows: 0, doneWindows: [], failureReason: null };
      return setProgress(
        run,
        0,
        `Pass ${event.pass} queued: ${formatNumber(n)} question${n === 1 ? '' : 's'} to re-run…`,
      );
    }
    case 'analysis_started':
      if (event.pass > 1) {
        const n = Array.isArray(event.question_ids) ? event.question_ids.length : 0;
        return setProgress(
          run,
          3,
          `Pass ${event.pass} started: re-running ${formatNumber(n)} question${n === 1 ? '' : 's'}…`,
        );
      }
      return setProgress(run, 3, 'Analysis started: reading the PDF…');
    case 'document_ingested':
      run = { ...run, totalWindows: event.window_count || run.totalWindows };
      return setProgress(
        run,
        5,
        `Read ${formatNumber(event.total_pages)} pages (${formatNumber(event.window_count)} windows).`,
      );
    case 'config_loaded':
      return setProgress(
        run,
        windowPercent(run),
        `Loaded ${formatNumber(event.total_questions)} questions in ${formatNumber(event.section_count)} sections.`,
      );
    case 'window_processing': {
      run = { ...run, totalWindows: event.total_windows || run.totalWindows };
      const pages =
        Array.isArray(event.pages) && event.pages.length
          ? ` (pages ${event.pages[0]}–${event.pages[event.pages.length - 1]})`
          : '';
      // Engines may announce several windows at once (the llm engine queues its calls), so say what is done.
      return setProgress(
        run,
        windowPercent(run),
        `Analyzing${pages}: ${run.doneWindows.length} of ${run.totalWindows || '?'} windows done…`,
      );
    }
    case 'window_complete': {
      const done = run.doneWindows.includes(event.window_num)
        ? run.doneWindows
        : [...run.doneWindows, event.window_num];
      run = { ...run, doneWindows: done };
      const found = event.new_answers && event.new_answers.length ? `: ${event.new_answers.length} new answers` : '';
      return setProgress(
        run,
        windowPercent(run),
        `Window ${event.window_num} of ${run.totalWindows || '?'} done${found}.`,
      );
    }
    case 'analysis_complete':
      return setProgress(
        run,
        100,
        `${event.pass > 1 ? `Pass ${event.pass} complete` : 'Complete'}: ${event.questions_answered} of ${event.total_questions} questions answered.`,
      );
    case 'analysis_stopped':
      return setProgress(run, windowPercent(run), 'Stopped.');
    case 'analysis_failed': {
      const reason = event.error || 'unknown error';
      return setProgress({ ...run, failureReason: reason }, windowPercent(run), `Failed: ${reason}`);
    }
    default:
      return run;
  }
}

/** `replay`: the log of a finished run read once for its progress text; the results are already loaded. */
function applyEvent(event, { replay = false } = {}) {
  // Already seen (a replay after a reconnect, or an earlier pass's end): nothing to do, and not an end.
  if (typeof event.index === 'number' && event.index <= store.get().run.lastEventIndex) return;
  store.replace((state) => {
    const run = applyEventToRun(state.run, event);
    return run === state.run ? state : { ...state, run };
  });
  if (replay) return;
  if (event.event === 'window_complete' || event.event === 'question_answered') hooks.answersChanged();
  if (TERMINAL_EVENTS.has(event.event)) {
    // The end of an earlier pass (the log replayed from the start while a re-run pass is on): not the end.
    const session = store.get().run.session;
    if ((event.pass || 1) < ((session && session.pass) || 1)) return;
    closeStream();
    hooks.terminal();
  }
}

export function openStream(sessionId) {
  closeStream();
  if (typeof EventSource === 'undefined') {
    startPolling(sessionId);
    return;
  }
  // Resume after the last event applied (a re-run pass continues the log): only newer events come.
  const last = store.get().run.lastEventIndex;
  const source = new EventSource(
    last >= 0 ? `${urls.progress(sessionId)}?last_index=${last}` : urls.progress(sessionId),
  );
  eventSource = source;
  source.onmessage = (message) => {
    if (eventSource !== source) return;
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    applyEvent(event);
  };
  source.onerror = () => {
    if (eventSource !== source) return;
    // CONNECTING = the browser retries with Last-Event-ID by itself; CLOSED = it gave up: poll instead.
    if (source.readyState === EventSource.CLOSED) {
      eventSource = null;
      startPolling(sessionId);
    } else {
      hooks.answersChanged();
    }
  };
}

export function closeStream() {
  if (eventSource) {
    eventSource.close();
    eventSource = null;
  }
  if (pollTimer) {
    clearTimeout(pollTimer);
    pollTimer = null;
  }
}

async function fetchEventsAfter(sessionId, options = {}) {
  const reply = await requestJson(
    `/api/events/${encodeURIComponent(sessionId)}?last_index=${store.get().run.lastEventIndex}`,
  );
  if (store.get().run.sessionId !== sessionId) return null;
  for (const event of reply.events || []) applyEvent(event, options);
  return reply;
}

function startPolling(sessionId) {
  const tick = async () => {
    pollTimer = null;
    try {
      const reply = await fetchEventsAfter(sessionId);
      if (!reply || !isRunning(reply.status)) {
        hooks.terminal();
        return;
      }
    } catch {
      /* keep polling: the server may be restarting */
    }
    const run = store.get().run;
    if (run.sessionId === sessionId && isRunning(run.status)) pollTimer = setTimeout(tick, EVENTS_POLL_INTERVAL_MS);
  };
  pollTimer = setTimeout(tick, 0);
}

/** A finished session opened from a link: replay its events once for the progress text. */
export async function loadEventsOnce(sessionId) {
  try {
    await fetchEventsAfter(sessionId, { replay: true });
  } catch {
    /* the banner and the results already say everything that matters */
  }
}

/** The progress text of a finished run whose events did not say it (e.g. the log was trimmed). */
export function terminalProgress(run) {
  if (run.status === 'completed') return { percent: 100, step: run.step || 'Complete.' };
  if (run.status === 'partial' && !run.step.startsWith('Stopped'))
    return { percent: windowPercent(run), step: 'Stopped.' };
  if (run.status === 'failed' && !run.step.startsWith('Failed'))
    return { percent: windowPercent(run), step: 'Failed.' };
  return null;
}

export function renderProgress(state, prev) {
  if (prev && state.run.percent === prev.run.percent && state.run.step === prev.run.step) return;
  const value = Math.max(0, Math.min(100, Math.round(state.run.percent)));
  const step = state.run.step;
  ui.fill.style.width = `${value}%`;
  ui.bar.setAttribute('aria-valuenow', String(value));
  ui.bar.setAttribute('aria-valuetext', `${value}%${step ? `: ${step}` : ''}`);
  ui.step.textContent = step;
}
