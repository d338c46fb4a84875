// The preflight estimate (POST /api/estimate with the uploaded document's id and the options, never the PDF),
// asked again, debounced, whenever an option changes. Start stays disabled until the estimate for exactly the
// options on screen has arrived (state.js: canStart).
import { requestJson } from '../api.js';
import { byId, debounce, el, fillDefinitionList, formatCost, formatNumber } from '../dom.js';
import { store } from './store.js';
import { canEstimate, estimateKey, requestBody } from './state.js';

// Typing in guardrails or ticking boxes should not fire one estimate per keystroke.
const ESTIMATE_DEBOUNCE_MS = 400;
// The stored upload is gone (expired after a day unused): upload the chosen file again.
export const DOCUMENT_GONE_CODES = new Set(['DOCUMENT_NOT_FOUND', 'DOCUMENT_EXPIRED']);

const ui = { estimate: byId('estimate') };

let requestToken = 0;
let onDocumentGone = () => {};

export function initEstimate({ documentGone }) {
  onDocumentGone = documentGone;
}

export async function requestEstimate() {
  scheduleEstimate.cancel();
  const token = ++requestToken;
  const state = store.get();
  if (!canEstimate(state)) {
    store.update('estimate', { status: 'idle', key: '', data: null, error: '' });
    return;
  }
  const key = estimateKey(state);
  store.update('estimate', { status: 'loading', key });
  try {
    const { estimate } = await requestJson('/api/estimate', { method: 'POST', body: requestBody(state) });
    if (token !== requestToken) return;
    store.update('estimate', { status: 'ready', key, data: estimate, error: '' });
  } catch (err) {
    if (token !== requestToken) return;
    if (DOCUMENT_GONE_CODES.has(err.code)) {
      store.update('estimate', { status: 'idle', key: '', data: null, error: '' });
      onDocumentGone();
      return;
    }
    store.update('estimate', { status: 'error', key, data: null, error: err.message });
  }
}

export const scheduleEstimate = debounce(() => void requestEstimate(), ESTIMATE_DEBOUNCE_MS);

function hint(state) {
  const s = state.setup;
  if (!s.file) return 'Choose a PDF to see the estimate.';
  if (s.uploadStatus === 'uploading' || s.uploadStatus === 'parsing' || s.uploadStatus === 'retrying')
    return 'The estimate follows once the PDF is read.';
  if (!s.document) return 'No estimate: the PDF could not be used.';
  if (s.selected.length === 0) return 'Select at least one section to see the estimate.';
  if (s.configInvalid) return 'No estimate: the question config is not valid.';
  return 'Estimating…';
}

export function renderEstimate(state, prev) {
  if (prev && state.estimate === prev.estimate && state.setup === prev.setup) return;
  const e = state.estimate;
  const current = e.key === estimateKey(state);
  ui.estimate.toggleAttribute('aria-busy', e.status === 'loading');
  if (e.status === 'error' && current) {
    ui.estimate.replaceChildren(el('p', { className: 'field-error', text: `No estimate: ${e.error}` }));
    return;
  }
  // While a new estimate is on its way the previous one stays (marked stale) rather than flickering away.
  if (e.data && (e.status === 'ready' || e.status === 'loading')) {
    const d = e.data;
    const pairs = [
      ['Pages', formatNumber(d.total_pages)],
      ['Questions', formatNumber(d.total_questions)],
    ];
    if (d.engine === 'llm') {
      pairs.push(
        ['LLM calls', formatNumber(d.llm_calls)],
        [
          'Tokens',
          `${formatNumber((d.prompt_tokens || 0) + (d.completion_tokens || 0))} (${formatNumber(d.prompt_tokens)} prompt + ${formatNumber(d.completion_tokens)} completion)`,
        ],
        ['Estimated cost', formatCost(d.estimated_cost_usd)],
      );
      if (d.model) pairs.push(['Model', d.model]);
    } else {
      pairs.push(['Cost', 'none (offline engine)']);
    }
    const dl = el('dl', { className: `statistics compact${current && e.status === 'ready' ? '' : ' stale'}` });
    fillDefinitionList(dl, pairs);
    ui.estimate.replaceChildren(dl);
    return;
  }
  ui.estimate.replaceChildren(el('p', { className: 'hint', text: hint(state) }));
}
