/* global AbortController */
// The analyzer page: choose a PDF and options, see the estimate, start a run, follow it live, export.
// Rows are always rendered from GET /api/results (the truth); the event stream only says when to refetch
// and drives the progress bar.
import { requestJson, uploadFile, urls, EXPORT_FORMATS } from './api.js';
import { el, byId, showError, debounce, formatDuration, formatNumber, formatCost, fillDefinitionList, isRunning } from './dom.js';
import { renderAnswers, configAsPendingResult, renderExportLinks } from './results-view.js';
import { attachCitationPanel } from './viewer/citation-panel.js';

// Many answers can arrive within a second; one results fetch per burst is enough.
const RESULTS_REFRESH_DEBOUNCE_MS = 300;
// Typing in guardrails or ticking boxes should not fire one estimate per keystroke.
const ESTIMATE_DEBOUNCE_MS = 400;
// Polling cadence when EventSource is unavailable or gave up.
const EVENTS_POLL_INTERVAL_MS = 1500;
// After a terminal event the results row may trail by a moment; retry this often, this many times.
const TERMINAL_RESULTS_RETRY_MS = 400;
const TERMINAL_RESULTS_MAX_RETRIES = 10;

const TERMINAL_EVENTS = new Set(['analysis_complete', 'analysis_stopped', 'analysis_failed']);
const FILE_ERROR_CODES = new Set(['FILE_REQUIRED', 'UPLOAD_TOO_LARGE', 'PDF_INVALID', 'PDF_ENCRYPTED', 'PDF_TOO_MANY_PAGES', 'PDF_NO_TEXT', 'PDF_TOO_COMPLEX', 'PDF_TIMEOUT', 'FST_REQ_FILE_TOO_LARGE']);
// The stored upload is gone (expired after a day unused): upload the chosen file again.
const DOCUMENT_GONE_CODES = new Set(['DOCUMENT_NOT_FOUND', 'DOCUMENT_EXPIRED']);
// A busy server says when to come back (Retry-After); try that many times before showing the error.
const UPLOAD_BUSY_RETRIES = 3;

const ui = {
  form: byId('analyze-form'),
  dropZone: byId('drop-zone'),
  pdfInput: byId('pdf-input'),
  pdfChosen: byId('pdf-chosen'),
  pdfError: byId('pdf-error'),
  uploadProgress: byId('upload-progress'),
  uploadFill: byId('upload-fill'),
  uploadStatus: byId('upload-status'),
  configInput: byId('config-input'),
  configReset: byId('config-reset'),
  configStatus: byId('config-status'),
  configError: byId('config-error'),
  sectionsList: byId('sections-list'),
  sectionsAll: byId('sections-all'),
  sectionsNone: byId('sections-none'),
  sectionsCount: byId('sections-count'),
  sectionsError: byId('sections-error'),
  guardrails: byId('guardrails-input'),
  engineSelect: byId('engine-select'),
  engineNote: byId('engine-note'),
  estimate: byId('estimate'),
  startButton: byId('start-button'),
  startError: byId('start-error'),
  run: byId('run'),
  sessionLink: byId('session-link'),
  banner: byId('banner'),
  progressBar: byId('progress-bar'),
  progressFill: byId('progress-fill'),
  progressStep: byId('progress-step'),
  stopButton: byId('stop-button'),
  exports: byId('exports'),
  runError: byId('run-error'),
  statistics: byId('statistics'),
  answersBody: byId('answers-body'),
  answeredOnly: byId('answered-only'),
};

const state = {
  file: null,
  // The chosen file, uploaded once (POST /api/documents): estimates and the run refer to it by id.
  document: null,
  uploading: false,
  uploadAbort: null,
  defaultConfig: null,
  customConfig: null,
  customConfigFile: null,
  configChecking: false,
  configInvalid: false,
  selected: new Set(),
  engines: [],
  starting: false,
  // The attached run.
  sessionId: null,
  status: null,
  stopping: false,
  eventSource: null,
  pollTimer: null,
  lastEventIndex: -1,
  totalWindows: 0,
  doneWindows: new Set(),
  failureReason: null,
  resultsRequest: 0,
  estimateRequest: 0,
  terminalRetries: 0,
  sawTerminal: false,
};

function activeConfig() {
  return state.customConfig || state.defaultConfig;
}

// ---------- buttons ----------

function updateButtons() {
  const canStart =
    state.document !== null &&
    state.selected.size > 0 &&
    activeConfig() !== null &&
    !state.configChecking &&
    !state.configInvalid &&
    !state.starting &&
    !isRunning(state.status);
  ui.startButton.disabled = !canStart;
  ui.startButton.textContent = state.starting ? 'Starting…' : 'Start analysis';
  ui.stopButton.disabled = !(state.sessionId && isRunning(state.status) && !state.stopping);
  ui.stopButton.textContent = state.stopping && isRunning(state.status) ? 'Stopping…' : 'Stop';
  renderExportLinks(ui.exports, state.sessionId, EXPORT_FORMATS);
}

// ---------- file ----------

function chooseFile(file) {
  state.file = file || null;
  state.document = null;
  showError(ui.pdfError, '');
  showError(ui.startError, '');
  ui.pdfChosen.textContent = file ? `Selected: ${file.name} (${formatBytes(file.size)})` : '';
  ui.dropZone.classList.toggle('has-file', Boolean(file));
  updateButtons();
  void uploadChosenFile();
}

// ---------- upload (once per chosen file) ----------

function setUploadProgress(percent, text) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  ui.uploadProgress.hidden = false;
  ui.uploadFill.style.width = `${value}%`;
  ui.uploadProgress.setAttribute('aria-valuenow', String(value));
  ui.uploadStatus.textContent = text;
}

async function uploadChosenFile() {
  if (state.uploadAbort) state.uploadAbort.abort();
  const file = state.file;
  state.document = null;
  if (!file) {
    state.uploading = false;
    ui.uploadProgress.hidden = true;
    ui.uploadStatus.textContent = '';
    renderEstimateHint();
    updateButtons();
    return;
  }
  const controller = new AbortController();
  state.uploadAbort = controller;
  state.uploading = true;
  updateButtons();
  renderEstimateHint();
  setUploadProgress(0, `Uploading ${file.name}…`);
  for (let attempt = 0; ; attempt++) {
    try {
      const reply = await uploadFile('/api/documents', file, {
        signal: controller.signal,
        onProgress: (loaded, total) => {
          const sent = total > 0 ? (loaded / total) * 100 : 0;
          setUploadProgress(sent, sent < 100 ? `Uploading ${file.name}: ${formatBytes(loaded)} of ${formatBytes(total)}` : 'Uploaded; checking the PDF…');
        },
      });
      if (state.file !== file) return;
      state.document = reply;
      const ocr = reply.ocr_pages > 0 ? `, ${formatNumber(reply.ocr_pages)} to be read by OCR` : '';
      setUploadProgress(100, `Ready: ${formatNumber(reply.total_pages)} pages${ocr}.`);
      break;
    } catch (err) {
      if (state.file !== file || (err && err.name === 'AbortError')) return;
      if (err.code === 'SERVER_BUSY' && attempt < UPLOAD_BUSY_RETRIES) {
        const wait = err.retryAfterSeconds || 5;
        setUploadProgress(0, `The server is busy; trying again in ${wait} s…`);
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
        if (state.file !== file) return;
        continue;
      }
      ui.uploadProgress.hidden = true;
      ui.uploadStatus.textContent = '';
      showError(ui.pdfError, err.message);
      break;
    }
  }
  if (state.uploadAbort === controller) state.uploadAbort = null;
  state.uploading = false;
  updateButtons();
  scheduleEstimate.cancel();
  void requestEstimate();
}

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

ui.pdfInput.addEventListener('change', () => chooseFile(ui.pdfInput.files && ui.pdfInput.files[0]));
ui.dropZone.addEventListener('dragover', (event) => {
  event.preventDefault();
  ui.dropZone.classList.add('dragging');
});
ui.dropZone.addEventListener('dragleave', () => ui.dropZone.classList.remove('dragging'));
ui.dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  ui.dropZone.classList.remove('dragging');
  const files = event.dataTransfer && event.dataTransfer.files;
  if (!files || files.length === 0) return;
  try {
    ui.pdfInput.files = files; // keep the input in sync so keyboard users see the same choice
  } catch {
    /* some browsers refuse; state.file is what we send */
  }
  chooseFile(files[0]);
});

// ---------- config and sections ----------

function renderSections() {
  const config = activeConfig();
  const sections = (config && config.sections) || [];
  const nodes = sections.map((section, i) => {
    const id = `section-${i}`;
    const box = el('input', { attrs: { type: 'checkbox', id, value: section.section_id } });
    box.checked = state.selected.has(section.section_id);
    box.addEventListener('change', () => {
      if (box.checked) state.selected.add(section.section_id);
      else state.selected.delete(section.section_id);
      onSectionsChanged();
    });
    const count = (section.questions || []).length;
    return el('div', { className: 'section-option' }, [
      box,
      el('label', { attrs: { for: id } }, [
        el('span', { text: section.section_name }),
        el('span', { className: 'muted', text: ` (${count} question${count === 1 ? '' : 's'})` }),
      ]),
    ]);
  });
  ui.sectionsList.replaceChildren(...nodes);
  updateSectionsCount();
}

function updateSectionsCount() {
  const config = activeConfig();
  const total = ((config && config.sections) || []).length;
  ui.sectionsCount.textContent = `${state.selected.size} of ${total} selected`;
}

function onSectionsChanged() {
  showError(ui.sectionsError, state.selected.size === 0 ? 'Select at least one section.' : '');
  updateSectionsCount();
  updateButtons();
  scheduleEstimate();
}

function selectAllSections(all) {
  const config = activeConfig();
  state.selected = new Set(all && config ? config.sections.map((s) => s.section_id) : []);
  renderSections();
  onSectionsChanged();
}

ui.sectionsAll.addEventListener('click', () => selectAllSections(true));
ui.sectionsNone.addEventListener('click', () => selectAllSections(false));

function showConfigProblems(problems) {
  ui.configError.replaceChildren();
  if (!problems || problems.length === 0) {
    ui.configError.hidden = true;
    return;
  }
  const list = el('ul', { className: 'problems' });
  for (const problem of problems) {
    list.append(el('li', {}, [el('code', { text: problem.path || '(config)' }), ': ', el('span', { text: problem.message || 'invalid' })]));
  }
  ui.configError.append(el('p', { text: 'This config cannot be used:' }), list);
  ui.configError.hidden = false;
}

function useConfig(config, file) {
  state.customConfig = config;
  state.customConfigFile = file;
  state.selected = new Set(((config || state.defaultConfig || { sections: [] }).sections || []).map((s) => s.section_id));
  renderSections();
  onSectionsChanged();
}

async function onConfigChosen() {
  const file = ui.configInput.files && ui.configInput.files[0];
  showConfigProblems(null);
  state.configInvalid = false;
  if (!file) {
    resetConfig();
    return;
  }
  ui.configReset.hidden = false;
  state.configChecking = true;
  ui.configStatus.textContent = `Checking ${file.name}…`;
  updateButtons();
  try {
    let parsed;
    try {
      parsed = JSON.parse(await file.text());
    } catch (err) {
      throw { problems: [{ path: '(file)', message: `Not valid JSON: ${err.message}` }] };
    }
    const validation = await requestJson('/api/config/validate', { method: 'POST', body: { config: parsed } });
    if (ui.configInput.files[0] !== file) return; // another file was chosen meanwhile
    ui.configStatus.textContent = `Using ${file.name}: ${validation.total_questions} questions in ${validation.sections.length} sections.`;
    useConfig(parsed, file);
  } catch (err) {
    if (ui.configInput.files[0] !== file) return;
    const problems = err.problems || (err.details && err.details.problems) || [{ path: '(config)', message: err.message || String(err) }];
    state.configInvalid = true;
    ui.configStatus.textContent = `${file.name} is not a valid question config.`;
    showConfigProblems(problems);
  } finally {
    state.configChecking = false;
    updateButtons();
  }
}

function resetConfig() {
  ui.configInput.value = '';
  ui.configReset.hidden = true;
  state.configInvalid = false;
  showConfigProblems(null);
  ui.configStatus.textContent = describeDefaultConfig();
  useConfig(null, null);
}

function describeDefaultConfig() {
  const config = state.defaultConfig;
  if (!config) return '';
  const questions = config.sections.reduce((n, s) => n + (s.questions || []).length, 0);
  return `Default: ${config.config_name} — ${questions} questions in ${config.sections.length} sections.`;
}

ui.configInput.addEventListener('change', () => void onConfigChosen());
ui.configReset.addEventListener('click', () => {
  resetConfig();
  ui.configInput.focus();
});

// ---------- engines ----------

function renderEngines(payload) {
  state.engines = payload.engines || [];
  const options = state.engines.map((engine) => {
    const label =
      engine.name === 'llm'
        ? engine.available
          ? `LLM${engine.model ? ` (${engine.model})` : ''}`
          : `LLM — unavailable`
        : engine.label || 'Extractive (offline)';
    const option = el('option', { text: label, attrs: { value: engine.name } });
    option.disabled = !engine.available;
    return option;
  });
  ui.engineSelect.replaceChildren(...options);
  ui.engineSelect.value = payload.default || 'extractive';
  updateEngineNote();
}

function updateEngineNote() {
  const llm = state.engines.find((e) => e.name === 'llm');
  const selected = state.engines.find((e) => e.name === ui.engineSelect.value);
  if (selected && selected.name === 'llm') {
    ui.engineNote.textContent = 'Sends page excerpts to the configured LLM endpoint; costs are estimated below.';
  } else if (llm && !llm.available) {
    ui.engineNote.textContent = `LLM engine unavailable: ${llm.reason || 'not configured'}.`;
  } else {
    ui.engineNote.textContent = 'Runs offline and deterministically; no cost.';
  }
}

ui.engineSelect.addEventListener('change', () => {
  updateEngineNote();
  scheduleEstimate();
});

// ---------- form data, estimate ----------

/** What estimates and the run are asked with: the uploaded document's id and the options (JSON, no file). */
function buildRequestBody() {
  const body = {
    document_id: state.document.document_id,
    sections: [...state.selected],
    engine: ui.engineSelect.value || 'extractive',
  };
  const guardrails = ui.guardrails.value.trim();
  if (guardrails) body.guardrails = guardrails;
  if (state.customConfig && state.customConfigFile) body.config = state.customConfig;
  return body;
}

function renderEstimateHint() {
  let text = 'Choose a PDF to see the estimate.';
  if (state.file && state.uploading) text = 'The estimate follows once the PDF is uploaded.';
  else if (state.file && !state.document) text = 'No estimate: the PDF could not be used.';
  else if (state.file) text = 'Select at least one section to see the estimate.';
  ui.estimate.replaceChildren(el('p', { className: 'hint', text }));
}

const scheduleEstimate = debounce(() => void requestEstimate(), ESTIMATE_DEBOUNCE_MS);
ui.guardrails.addEventListener('input', () => scheduleEstimate());

async function requestEstimate() {
  const token = ++state.estimateRequest;
  if (!state.document || state.selected.size === 0 || state.configInvalid || !activeConfig()) {
    renderEstimateHint();
    return;
  }
  ui.estimate.setAttribute('aria-busy', 'true');
  try {
    const { estimate } = await requestJson('/api/estimate', { method: 'POST', body: buildRequestBody() });
    if (token !== state.estimateRequest) return;
    const pairs = [
      ['Pages', formatNumber(estimate.total_pages)],
      ['Questions', formatNumber(estimate.total_questions)],
    ];
    if (estimate.engine === 'llm') {
      pairs.push(
        ['LLM calls', formatNumber(estimate.llm_calls)],
        ['Tokens', `${formatNumber((estimate.prompt_tokens || 0) + (estimate.completion_tokens || 0))} (${formatNumber(estimate.prompt_tokens)} prompt + ${formatNumber(estimate.completion_tokens)} completion)`],
        ['Estimated cost', formatCost(estimate.estimated_cost_usd)],
      );
      if (estimate.model) pairs.push(['Model', estimate.model]);
    } else {
      pairs.push(['Cost', 'none (offline engine)']);
    }
    const dl = el('dl', { className: 'statistics compact' });
    fillDefinitionList(dl, pairs);
    ui.estimate.replaceChildren(dl);
  } catch (err) {
    if (token !== state.estimateRequest) return;
    if (DOCUMENT_GONE_CODES.has(err.code)) {
      void uploadChosenFile();
      return;
    }
    ui.estimate.replaceChildren(el('p', { className: 'field-error', text: `No estimate: ${err.message}` }));
  } finally {
    if (token === state.estimateRequest) ui.estimate.removeAttribute('aria-busy');
  }
}

// ---------- start ----------

function showStartError(err) {
  const code = err.code || '';
  if (DOCUMENT_GONE_CODES.has(code)) {
    showError(ui.pdfError, 'The uploaded PDF expired; uploading it again — press Start once it is ready.');
    void uploadChosenFile();
  } else if (FILE_ERROR_CODES.has(code)) showError(ui.pdfError, err.message);
  else if (code === 'CONFIG_INVALID') showConfigProblems((err.details && err.details.problems) || [{ path: '(config)', message: err.message }]);
  else if (code === 'SECTIONS_INVALID') showError(ui.sectionsError, err.message);
  else showError(ui.startError, err.message);
}

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  void startAnalysis();
});

async function startAnalysis() {
  if (ui.startButton.disabled) return;
  showError(ui.pdfError, '');
  showError(ui.startError, '');
  showError(ui.sectionsError, '');
  state.starting = true;
  updateButtons();
  const pendingRows = configAsPendingResult(activeConfig(), state.selected);
  try {
    const reply = await requestJson('/api/analyze', { method: 'POST', body: buildRequestBody() });
    state.starting = false;
    history.replaceState(null, '', urls.analyzerSession(reply.session_id));
    attachSession(reply.session_id, { status: reply.status || 'queued', pendingRows });
    ui.run.scrollIntoView({ block: 'start' });
  } catch (err) {
    state.starting = false;
    showStartError(err);
    updateButtons();
  }
}

// ---------- the run ----------

function resetRunView() {
  closeStream();
  state.lastEventIndex = -1;
  state.totalWindows = 0;
  state.doneWindows = new Set();
  state.failureReason = null;
  state.stopping = false;
  state.terminalRetries = 0;
  state.sawTerminal = false;
  ui.banner.hidden = true;
  ui.banner.replaceChildren();
  ui.statistics.hidden = true;
  showError(ui.runError, '');
  setProgress(0, 'Waiting for the run to start…');
}

function attachSession(sessionId, { status = null, pendingRows = null } = {}) {
  resetRunView();
  state.sessionId = sessionId;
  state.status = status;
  ui.run.hidden = false;
  const link = el('a', { text: sessionId, attrs: { href: urls.analyzerSession(sessionId) } });
  ui.sessionLink.replaceChildren('Session ', link, ' — this link reopens the analysis from any machine.');
  if (pendingRows) renderAnswers(ui.answersBody, pendingRows, { sessionId, running: true });
  updateButtons();
  renderStatusBanner(null);
  void refreshResults().then(() => {
    if (state.sessionId === sessionId && isRunning(state.status)) openStream(sessionId);
    else if (state.sessionId === sessionId && state.status && !isRunning(state.status)) void loadEventsOnce(sessionId);
  });
}

function setProgress(percent, step) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  ui.progressFill.style.width = `${value}%`;
  ui.progressBar.setAttribute('aria-valuenow', String(value));
  ui.progressBar.setAttribute('aria-valuetext', `${value}%${step ? `: ${step}` : ''}`);
  if (step !== undefined) ui.progressStep.textContent = step;
}

function windowPercent() {
  if (!state.totalWindows) return 5;
  return 5 + (90 * state.doneWindows.size) / state.totalWindows;
}

function applyEvent(event) {
  if (typeof event.index === 'number') {
    if (event.index <= state.lastEventIndex) return; // a replay after reconnect
    state.lastEventIndex = event.index;
  }
  switch (event.event) {
    case 'analysis_started':
      setProgress(3, 'Analysis started: reading the PDF…');
      break;
    case 'document_ingested':
      state.totalWindows = event.window_count || state.totalWindows;
      setProgress(5, `Read ${formatNumber(event.total_pages)} pages (${formatNumber(event.window_count)} windows).`);
      break;
    case 'config_loaded':
      setProgress(windowPercent(), `Loaded ${formatNumber(event.total_questions)} questions in ${formatNumber(event.section_count)} sections.`);
      break;
    case 'window_processing': {
      state.totalWindows = event.total_windows || state.totalWindows;
      const pages = Array.isArray(event.pages) && event.pages.length ? ` (pages ${event.pages[0]}–${event.pages[event.pages.length - 1]})` : '';
      // Engines may announce several windows at once (the llm engine queues its calls), so say what is done.
      setProgress(windowPercent(), `Analyzing${pages}: ${state.doneWindows.size} of ${state.totalWindows || '?'} windows done…`);
      break;
    }
    case 'window_complete':
      state.doneWindows.add(event.window_num);
      setProgress(windowPercent(), `Window ${event.window_num} of ${state.totalWindows || '?'} done${event.new_answers && event.new_answers.length ? `: ${event.new_answers.length} new answers` : ''}.`);
      scheduleResultsRefresh();
      break;
    case 'question_answered':
      scheduleResultsRefresh();
      break;
    case 'analysis_complete':
      setProgress(100, `Complete: ${event.questions_answered} of ${event.total_questions} questions answered.`);
      break;
    case 'analysis_stopped':
      setProgress(windowPercent(), 'Stopped.');
      break;
    case 'analysis_failed':
      state.failureReason = event.error || 'unknown error';
      setProgress(windowPercent(), `Failed: ${state.failureReason}`);
      break;
    default:
      break;
  }
  if (TERMINAL_EVENTS.has(event.event)) {
    state.sawTerminal = true;
    closeStream();
    scheduleResultsRefresh.cancel();
    void refreshResults();
  }
}

function openStream(sessionId) {
  closeStream();
  if (typeof EventSource === 'undefined') {
    startPolling(sessionId);
    return;
  }
  const source = new EventSource(urls.progress(sessionId));
  state.eventSource = source;
  source.onmessage = (message) => {
    if (state.eventSource !== source) return;
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    applyEvent(event);
  };
  source.onerror = () => {
    if (state.eventSource !== source) return;
    // CONNECTING = the browser retries with Last-Event-ID by itself; CLOSED = it gave up: poll instead.
    if (source.readyState === EventSource.CLOSED) {
      state.eventSource = null;
      startPolling(sessionId);
    } else {
      scheduleResultsRefresh();
    }
  };
}

function closeStream() {
  if (state.eventSource) {
    state.eventSource.close();
    state.eventSource = null;
  }
  if (state.pollTimer) {
    clearTimeout(state.pollTimer);
    state.pollTimer = null;
  }
}

async function fetchEventsAfter(sessionId) {
  const reply = await requestJson(`/api/events/${encodeURIComponent(sessionId)}?last_index=${state.lastEventIndex}`);
  if (state.sessionId !== sessionId) return null;
  for (const event of reply.events || []) applyEvent(event);
  return reply;
}

function startPolling(sessionId) {
  const tick = async () => {
    state.pollTimer = null;
    try {
      const reply = await fetchEventsAfter(sessionId);
      if (!reply || !isRunning(reply.status)) {
        void refreshResults();
        return;
      }
    } catch {
      /* keep polling: the server may be restarting */
    }
    if (state.sessionId === sessionId && isRunning(state.status)) state.pollTimer = setTimeout(tick, EVENTS_POLL_INTERVAL_MS);
  };
  state.pollTimer = setTimeout(tick, 0);
}

// A finished session opened from a link: replay its events once for the progress text.
async function loadEventsOnce(sessionId) {
  try {
    await fetchEventsAfter(sessionId);
  } catch {
    /* the banner and the table already say everything that matters */
  }
  if (state.sessionId === sessionId && !isRunning(state.status)) renderTerminalProgress();
}

const scheduleResultsRefresh = debounce(() => void refreshResults(), RESULTS_REFRESH_DEBOUNCE_MS);

async function refreshResults() {
  const sessionId = state.sessionId;
  if (!sessionId) return;
  const token = ++state.resultsRequest;
  let reply;
  try {
    reply = await requestJson(`/api/results/${encodeURIComponent(sessionId)}`);
  } catch (err) {
    if (token !== state.resultsRequest || state.sessionId !== sessionId) return;
    if (err.status === 404) {
      state.status = null;
      closeStream();
      renderBanner('failed', 'Not found', err.message || 'This analysis does not exist (it may have been deleted).');
      updateButtons();
    } else {
      showError(ui.runError, `Could not load results: ${err.message}`);
    }
    return;
  }
  if (token !== state.resultsRequest || state.sessionId !== sessionId) return; // superseded
  showError(ui.runError, '');
  state.status = reply.status;
  const running = isRunning(reply.status);
  renderAnswers(ui.answersBody, reply.result, { sessionId, running });
  renderStatistics(reply);
  renderStatusBanner(reply);
  if (running && state.sawTerminal) {
    // The stream said it ended but the results row trails a moment: look again shortly.
    if (state.terminalRetries < TERMINAL_RESULTS_MAX_RETRIES) {
      state.terminalRetries += 1;
      setTimeout(() => void refreshResults(), TERMINAL_RESULTS_RETRY_MS);
    }
  } else if (running) {
    if (!state.eventSource && !state.pollTimer && state.lastEventIndex >= 0) openStream(sessionId);
  } else {
    closeStream();
    state.stopping = false;
    renderTerminalProgress();
  }
  updateButtons();
}

function renderTerminalProgress() {
  if (state.status === 'completed') setProgress(100, ui.progressStep.textContent || 'Complete.');
  else if (state.status === 'partial' && !ui.progressStep.textContent.startsWith('Stopped')) setProgress(windowPercent(), 'Stopped.');
  else if (state.status === 'failed' && !ui.progressStep.textContent.startsWith('Failed')) setProgress(windowPercent(), 'Failed.');
}

function renderBanner(kind, title, detail) {
  ui.banner.className = `banner banner-${kind}`;
  ui.banner.replaceChildren(el('strong', { text: title }), detail ? el('span', { text: ` — ${detail}` }) : null);
  ui.banner.hidden = false;
}

function renderStatusBanner(reply) {
  const status = reply ? reply.status : state.status;
  const session = (reply && reply.session) || {};
  const stats = (reply && reply.statistics) || {};
  const counts = stats.total_questions !== undefined ? `${stats.questions_answered} of ${stats.total_questions} questions answered` : '';
  switch (status) {
    case 'queued':
      renderBanner('info', 'Queued', 'waiting for a worker to pick up the analysis.');
      break;
    case 'active':
      renderBanner('info', 'Running', counts ? `${counts} so far.` : 'answers appear below as they are found.');
      break;
    case 'completed':
      renderBanner('ok', 'Complete', `${counts}${stats.processing_time !== undefined ? ` in ${formatDuration(stats.processing_time)}` : ''}.`);
      break;
    case 'partial':
      renderBanner('warn', 'Partial', `${session.error || 'stopped before the end'}; ${counts || 'answers so far are kept'}. Exports are labelled PARTIAL.`);
      break;
    case 'failed':
      renderBanner('error', 'Failed', session.error || state.failureReason || 'the analysis could not finish.');
      break;
    default:
      ui.banner.hidden = true;
  }
}

function renderStatistics(reply) {
  const stats = reply.statistics || {};
  const session = reply.session || {};
  const result = reply.result || {};
  const pairs = [
    ['Document', session.document_name || result.document_name || '—'],
    ['Pages', formatNumber(session.total_pages ?? result.total_pages)],
    ['Answered', stats.total_questions !== undefined ? `${stats.questions_answered} / ${stats.total_questions}` : '—'],
    ['Average confidence', stats.average_confidence || '—'],
    ['Processing time', formatDuration(stats.processing_time)],
    ['Tokens', formatNumber(stats.total_tokens)],
    ['Cost', formatCost(stats.estimated_cost)],
    ['Engine', session.engine ? `${session.engine}${session.model ? ` (${session.model})` : ''}` : '—'],
  ];
  fillDefinitionList(ui.statistics, pairs);
  ui.statistics.hidden = false;
}

ui.stopButton.addEventListener('click', () => void stopAnalysis());
// A class on the table body, so the choice survives every re-render from /api/results.
ui.answeredOnly.addEventListener('change', () => ui.answersBody.classList.toggle('answered-only', ui.answeredOnly.checked));
// Page citations open the PDF beside the results, at that page with the quote highlighted.
attachCitationPanel(ui.answersBody);

async function stopAnalysis() {
  const sessionId = state.sessionId;
  if (!sessionId || !isRunning(state.status)) return;
  state.stopping = true;
  updateButtons();
  try {
    const reply = await requestJson(`/api/stop/${encodeURIComponent(sessionId)}`, { method: 'POST' });
    if (state.sessionId !== sessionId) return;
    if (reply.status && !isRunning(reply.status)) void refreshResults();
  } catch (err) {
    if (state.sessionId !== sessionId) return;
    state.stopping = false;
    showError(ui.runError, `Could not stop: ${err.message}`);
    updateButtons();
  }
}

// ---------- start-up ----------

async function init() {
  updateButtons();
  const sessionParam = new URLSearchParams(location.search).get('session');
  if (sessionParam) attachSession(sessionParam);
  const [engines, config] = await Promise.allSettled([requestJson('/api/engines'), requestJson('/api/config/questions')]);
  if (engines.status === 'fulfilled') renderEngines(engines.value);
  else {
    renderEngines({ default: 'extractive', engines: [{ name: 'extractive', available: true, label: 'Extractive (offline)' }] });
    ui.engineNote.textContent = `Could not load engines: ${engines.reason.message}`;
  }
  if (config.status === 'fulfilled') {
    state.defaultConfig = config.value.config;
    resetConfig();
  } else {
    showError(ui.startError, `Could not load the default question config: ${config.reason.message}`);
  }
  updateButtons();
}

void init();
