// The shape of the analyzer page's state, and the questions asked of it (selectors). Plain data only:
// connections, timers and abort controllers live in the module that owns them, not here.
import { isRunning } from '../dom.js';

export function initialState() {
  return {
    setup: {
      /** 'setup' = the form is shown; 'session' = a run is attached and the form is folded away. */
      view: 'setup',
      file: null,
      fileError: '',
      /** idle | uploading | parsing | retrying | ready | error */
      uploadStatus: 'idle',
      uploadLoaded: 0,
      uploadTotal: 0,
      uploadMessage: '',
      /** The chosen file, uploaded once (POST /api/documents): estimates and the run refer to it by id. */
      document: null,
      defaultConfig: null,
      customConfig: null,
      customConfigName: '',
      configChecking: false,
      configInvalid: false,
      configMessage: '',
      configProblems: null,
      /** Ids of the ticked sections, in config order. */
      selected: [],
      sectionsError: '',
      engines: [],
      engine: 'extractive',
      engineError: '',
      guardrails: '',
      starting: false,
      startError: '',
    },
    estimate: {
      /** idle | loading | ready | error */
      status: 'idle',
      /** The request the shown estimate answers (see estimateKey): Start needs it to match the form. */
      key: '',
      data: null,
      error: '',
    },
    run: {
      sessionId: null,
      status: null,
      stopping: false,
      percent: 0,
      step: '',
      totalWindows: 0,
      doneWindows: [],
      lastEventIndex: -1,
      failureReason: null,
      notFound: '',
      error: '',
      session: null,
      statistics: null,
    },
    results: {
      /** The legacy result from GET /api/results (sections → questions), or pending rows before it exists. */
      result: null,
      running: false,
      /** While a re-run pass runs: the ids it re-runs (only those are "pending"); null = all (a first run). */
      passQuestions: null,
    },
    rerun: {
      /** The "Re-run…" panel is open. */
      open: false,
      /** '' = the session's own engine (the server's default for a pass). */
      engine: '',
      thorough: false,
      sending: false,
      error: '',
      /** What the last re-run request said (e.g. "Pass 2 queued: 12 questions; 3 skipped (reviewed)."). */
      notice: '',
      /** From GET /api/rerun/:id: question_id → the pass that produced the answer in force (only passes > 1). */
      passOf: {},
      /**
       * question_id → that question's answers replaced by a later pass (oldest first): {pass, answer, confidence, …}
       */
      earlier: {},
      /** question_id → the answer in force differs from the one it replaced. */
      changed: {},
      /** The session the above describe, and its current pass. */
      loadedFor: null,
      currentPass: 1,
    },
    review: {
      filters: { section: '', answer: '', review: '', band: '', order: 'document', q: '' },
      /** The question the keyboard acts on. */
      cursor: null,
      expanded: [],
      collapsed: [],
      editing: null,
      /** question_id → the action in flight */
      pending: {},
      /** question_id → a message */
      errors: {},
      /** question_id → {mine: the refused request, theirs: the question as it is now} (409 REVIEW_CONFLICT) */
      conflicts: {},
      /** question_id → history entries (loaded on demand) */
      history: {},
      help: false,
      /** On a phone the filters other than search fold behind a button. */
      filtersOpen: false,
    },
  };
}

export function activeConfig(state) {
  return state.setup.customConfig || state.setup.defaultConfig;
}

/** The JSON body estimates and the run are asked with: the uploaded document's id and the options. */
export function requestBody(state) {
  const s = state.setup;
  const body = {
    document_id: s.document ? s.document.document_id : null,
    sections: [...s.selected],
    engine: s.engine || 'extractive',
  };
  const guardrails = s.guardrails.trim();
  if (guardrails) body.guardrails = guardrails;
  if (s.customConfig) body.config = s.customConfig;
  return body;
}

/** Identifies an estimate request: an estimate shown for other options does not count. */
export function estimateKey(state) {
  const body = requestBody(state);
  return JSON.stringify({ ...body, config: body.config ? state.setup.customConfigName : null });
}

export function canEstimate(state) {
  const s = state.setup;
  return (
    Boolean(s.document) &&
    s.selected.length > 0 &&
    !s.configInvalid &&
    !s.configChecking &&
    activeConfig(state) !== null
  );
}

/** Start is possible once the PDF is parsed and the estimate for exactly these options is on screen. */
export function canStart(state) {
  return (
    canEstimate(state) &&
    state.estimate.status === 'ready' &&
    state.estimate.key === estimateKey(state) &&
    !state.setup.starting &&
    !isRunning(state.run.status)
  );
}

export function canStop(state) {
  return Boolean(state.run.sessionId) && isRunning(state.run.status) && !state.run.stopping;
}
