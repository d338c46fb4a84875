// The setup form around the upload: question config (checked by the server), sections, guardrails, engine,
// and Start. Every change goes into the store; the form is drawn from it.
import { requestJson } from '../api.js';
import { byId, el, isRunning } from '../dom.js';
import { store } from './store.js';
import { activeConfig, canStart, requestBody } from './state.js';
import { DOCUMENT_GONE_CODES, requestEstimate, scheduleEstimate } from './estimate.js';
import { uploadChosenFile } from './upload.js';
import { configAsPendingResult } from '../results-view.js';

const FILE_ERROR_CODES = new Set([
  'FILE_REQUIRED',
  'UPLOAD_TOO_LARGE',
  'PDF_INVALID',
  'PDF_ENCRYPTED',
  'PDF_TOO_MANY_PAGES',
  'PDF_NO_TEXT',
  'PDF_TOO_COMPLEX',
  'PDF_TIMEOUT',
  'FST_REQ_FILE_TOO_LARGE',
]);

const ui = {
  form: byId('analyze-form'),
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
  startButton: byId('start-button'),
  startError: byId('start-error'),
};

let onStarted = () => {};

function allSectionIds(config) {
  return ((config && config.sections) || []).map((s) => s.section_id);
}

function setSelected(selected) {
  store.update('setup', { selected, sectionsError: selected.length === 0 ? 'Select at least one section.' : '' });
  scheduleEstimate();
}

function describeDefaultConfig(config) {
  if (!config) return '';
  const questions = config.sections.reduce((n, s) => n + (s.questions || []).length, 0);
  return `Default: ${config.config_name} — ${questions} questions in ${config.sections.length} sections.`;
}

function useConfig(config, name, message) {
  store.update('setup', (s) => ({
    customConfig: config,
    customConfigName: name,
    configInvalid: false,
    configChecking: false,
    configProblems: null,
    configMessage: message ?? describeDefaultConfig(s.defaultConfig),
    selected: allSectionIds(config || s.defaultConfig),
    sectionsError: '',
  }));
  scheduleEstimate();
}

async function onConfigChosen() {
  const file = ui.configInput.files && ui.configInput.files[0];
  if (!file) {
    useConfig(null, '');
    return;
  }
  store.update('setup', {
    configChecking: true,
    configInvalid: false,
    configProblems: null,
    configMessage: `Checking ${file.name}…`,
  });
  try {
    let parsed;
    try {
      parsed = JSON.parse(await file.text());
    } catch (err) {
      throw { problems: [{ path: '(file)', message: `Not valid JSON: ${err.message}` }] };
    }
    const validation = await requestJson('/api/config/validate', { method: 'POST', body: { config: parsed } });
    if (ui.configInput.files[0] !== file) return; // another file was chosen meanwhile
    useConfig(
      parsed,
      `${file.name}:${file.lastModified}:${file.size}`,
      `Using ${file.name}: ${validation.total_questions} questions in ${validation.sections.length} sections.`,
    );
  } catch (err) {
    if (ui.configInput.files[0] !== file) return;
    const problems = err.problems ||
      (err.details && err.details.problems) || [{ path: '(config)', message: err.message || String(err) }];
    store.update('setup', {
      configChecking: false,
      configInvalid: true,
      configMessage: `${file.name} is not a valid question config.`,
      configProblems: problems,
    });
    void requestEstimate();
  }
}

function showStartError(err) {
  const code = err.code || '';
  if (DOCUMENT_GONE_CODES.has(code)) {
    store.update('setup', {
      fileError: 'The uploaded PDF expired; uploading it again — press Start once it is ready.',
    });
    void uploadChosenFile();
  } else if (FILE_ERROR_CODES.has(code)) store.update('setup', { fileError: err.message });
  else if (code === 'CONFIG_INVALID')
    store.update('setup', {
      configInvalid: true,
      configProblems: (err.details && err.details.problems) || [{ path: '(config)', message: err.message }],
    });
  else if (code === 'SECTIONS_INVALID') store.update('setup', { sectionsError: err.message });
  else store.update('setup', { startError: err.message });
}

async function startAnalysis() {
  const state = store.get();
  if (!canStart(state)) return;
  store.update('setup', { starting: true, startError: '', sectionsError: '', fileError: '' });
  const pending = configAsPendingResult(activeConfig(state), new Set(state.setup.selected));
  try {
    const reply = await requestJson('/api/analyze', { method: 'POST', body: requestBody(state) });
    store.update('setup', { starting: false });
    onStarted(reply.session_id, reply.status || 'queued', pending);
  } catch (err) {
    store.update('setup', { starting: false });
    showStartError(err);
  }
}

function renderEngineOptions(engines, engine) {
  const options = engines.map((e) => {
    const label =
      e.name === 'llm'
        ? e.available
          ? `LLM${e.model ? ` (${e.model})` : ''}`
          : 'LLM — unavailable'
        : e.label || 'Extractive (offline)';
    const option = el('option', { text: label, attrs: { value: e.name } });
    option.disabled = !e.available;
    return option;
  });
  ui.engineSelect.replaceChildren(...options);
  ui.engineSelect.value = engine;
}

function engineNote(s) {
  if (s.engineError) return s.engineError;
  const llm = s.engines.find((e) => e.name === 'llm');
  if (s.engine === 'llm') return 'Sends page excerpts to the configured LLM endpoint; costs are estimated below.';
  if (llm && !llm.available) return `LLM engine unavailable: ${llm.reason || 'not configured'}.`;
  return 'Runs offline and deterministically; no cost.';
}

function renderProblems(problems) {
  if (!problems || problems.length === 0) {
    ui.configError.replaceChildren();
    ui.configError.hidden = true;
    return;
  }
  const list = el('ul', { className: 'problems' });
  for (const problem of problems)
    list.append(
      el('li', {}, [
        el('code', { text: problem.path || '(config)' }),
        ': ',
        el('span', { text: problem.message || 'invalid' }),
      ]),
    );
  ui.configError.replaceChildren(el('p', { text: 'This config cannot be used:' }), list);
  ui.configError.hidden = false;
}

let drawnConfig;

function renderSections(state) {
  const config = activeConfig(state);
  const selected = new Set(state.setup.selected);
  if (config !== drawnConfig) {
    drawnConfig = config;
    const nodes = ((config && config.sections) || []).map((section, i) => {
      const id = `section-${i}`;
      const box = el('input', { attrs: { type: 'checkbox', id, value: section.section_id } });
      box.addEventListener('change', () => {
        const now = new Set(store.get().setup.selected);
        if (box.checked) now.add(section.section_id);
        else now.delete(section.section_id);
        setSelected(allSectionIds(activeConfig(store.get())).filter((sid) => now.has(sid)));
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
  }
  for (const box of ui.sectionsList.querySelectorAll('input[type=checkbox]')) box.checked = selected.has(box.value);
  ui.sectionsCount.textContent = `${selected.size} of ${((config && config.sections) || []).length} selected`;
}

export function renderSetup(state, prev) {
  const s = state.setup;
  const p = prev ? prev.setup : null;
  if (!p || s.customConfig !== p.customConfig || s.defaultConfig !== p.defaultConfig || s.selected !== p.selected)
    renderSections(state);
  if (!p || s.engines !== p.engines) renderEngineOptions(s.engines, s.engine);
  if (ui.engineSelect.value !== s.engine) ui.engineSelect.value = s.engine;
  ui.engineNote.textContent = engineNote(s);
  if (ui.guardrails.value !== s.guardrails) ui.guardrails.value = s.guardrails;
  ui.configStatus.textContent = s.configMessage;
  ui.configReset.hidden = !s.customConfig && !s.configInvalid && !s.configChecking;
  if (!p || s.configProblems !== p.configProblems) renderProblems(s.configProblems);
  ui.sectionsError.textContent = s.sectionsError;
  ui.sectionsError.hidden = !s.sectionsError;
  ui.startError.textContent = s.startError;
  ui.startError.hidden = !s.startError;
  ui.startButton.disabled = !canStart(state);
  ui.startButton.textContent = s.starting
    ? 'Starting…'
    : isRunning(state.run.status)
      ? 'Analysis running…'
      : 'Start analysis';
}

export async function initSetup({ started }) {
  onStarted = started;
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void startAnalysis();
  });
  ui.configInput.addEventListener('change', () => void onConfigChosen());
  ui.configReset.addEventListener('click', () => {
    ui.configInput.value = '';
    useConfig(null, '');
    ui.configInput.focus();
  });
  ui.sectionsAll.addEventListener('click', () => setSelected(allSectionIds(activeConfig(store.get()))));
  ui.sectionsNone.addEventListener('click', () => setSelected([]));
  ui.guardrails.addEventListener('input', () => {
    store.update('setup', { guardrails: ui.guardrails.value });
    scheduleEstimate();
  });
  ui.engineSelect.addEventListener('change', () => {
    store.update('setup', { engine: ui.engineSelect.value });
    scheduleEstimate();
  });

  const [engines, config] = await Promise.allSettled([
    requestJson('/api/engines'),
    requestJson('/api/config/questions'),
  ]);
  if (engines.status === 'fulfilled') {
    store.update('setup', { engines: engines.value.engines || [], engine: engines.value.default || 'extractive' });
  } else {
    store.update('setup', {
      engines: [{ name: 'extractive', available: true, label: 'Extractive (offline)' }],
      engine: 'extractive',
      engineError: `Could not load engines: ${engines.reason.message}`,
    });
  }
  if (config.status === 'fulfilled') {
    const defaultConfig = config.value.config;
    store.update('setup', {
      defaultConfig,
      selected: allSectionIds(defaultConfig),
      configMessage: describeDefaultConfig(defaultConfig),
    });
  } else {
    store.update('setup', { startError: `Could not load the default question config: ${config.reason.message}` });
  }
}
