/* global AbortController, Element */
// The admin page: every analysis (filter, search, pages of 25), totals and a per-day chart, and a detail
// view with answers, events, exports, Stop and Delete. The table is replaced in one go only after a fetch
// completes, and responses of superseded requests are ignored, so it never flickers or double-counts.
import { requestJson, urls, EXPORT_FORMATS } from './api.js';
import {
  el,
  byId,
  showError,
  debounce,
  formatDate,
  formatDuration,
  formatCost,
  formatNumber,
  shortId,
  statusBadge,
  fillDefinitionList,
  isRunning,
  STATUS_LABELS,
} from './dom.js';
import { renderAnswers, renderExportLinks } from './results-view.js';
import { attachCitationPanel } from './viewer/citation-panel.js';
import { renderBarChart } from './chart.js';

const PAGE_SIZE = 25;
const SEARCH_DEBOUNCE_MS = 300;
// Background refresh while the page is visible: running sessions change status and counts.
const AUTO_REFRESH_MS = 10_000;
const STATS_DAYS = 30;

const ui = {
  totals: byId('totals'),
  chartAnalyses: byId('chart-analyses'),
  chartCost: byId('chart-cost'),
  statsError: byId('stats-error'),
  list: byId('list'),
  statusFilter: byId('status-filter'),
  searchInput: byId('search-input'),
  refreshButton: byId('refresh-button'),
  listError: byId('list-error'),
  table: byId('sessions-table'),
  body: byId('sessions-body'),
  prev: byId('prev-page'),
  next: byId('next-page'),
  pageInfo: byId('page-info'),
  detail: byId('detail'),
  detailTitle: byId('detail-title'),
  detailClose: byId('detail-close'),
  detailBanner: byId('detail-banner'),
  detailSummary: byId('detail-summary'),
  detailStop: byId('detail-stop'),
  detailDelete: byId('detail-delete'),
  detailOpen: byId('detail-open'),
  detailExports: byId('detail-exports'),
  detailError: byId('detail-error'),
  detailAnswers: byId('detail-answers'),
  detailEvents: byId('detail-events'),
  deleteDialog: byId('delete-dialog'),
  deleteText: byId('delete-text'),
  deleteTitle: byId('delete-title'),
};

const state = {
  status: '',
  q: '',
  offset: 0,
  total: 0,
  listRequest: 0,
  statsRequest: 0,
  detailRequest: 0,
  detailId: null,
  detailSession: null,
  listAbort: null,
};

// ---------- list ----------

/** Who ran it: the owner's email (admins see it); the id only for sessions from before emails were recorded. */
function ownerLabel(session) {
  return session.owner_email || session.owner || '—';
}

function sessionRow(session) {
  const open = el('a', {
    className: 'session-link',
    text: shortId(session.session_id),
    attrs: { href: urls.adminSession(session.session_id), title: session.session_id },
  });
  open.addEventListener('click', (event) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey) return; // let new-tab clicks through
    event.preventDefault();
    openDetail(session.session_id, { push: true });
  });
  const row = el('tr', { attrs: { 'data-session-id': session.session_id } }, [
    el('td', { attrs: { 'data-label': 'ID' } }, [open]),
    el('td', { text: formatDate(session.created_at), attrs: { 'data-label': 'Created' } }),
    el('td', { attrs: { 'data-label': 'Status' } }, [statusBadge(session.status)]),
    el('td', { className: 'pdf-cell', text: session.pdf_filename || '—', attrs: { 'data-label': 'PDF' } }),
    el('td', {
      text: `${session.questions_answered ?? 0}/${session.total_questions ?? 0}`,
      attrs: { 'data-label': 'Answered' },
    }),
    el('td', { text: formatDuration(session.processing_time), attrs: { 'data-label': 'Time' } }),
    el('td', { text: formatCost(session.estimated_cost), attrs: { 'data-label': 'Cost' } }),
    el('td', {
      text: session.engine ? `${session.engine}${session.model ? ` (${session.model})` : ''}` : '—',
      attrs: { 'data-label': 'Engine' },
    }),
    el('td', {
      className: 'owner-cell',
      text: ownerLabel(session),
      attrs: { 'data-label': 'Owner', title: session.owner || '' },
    }),
  ]);
  row.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('a')) return;
    openDetail(session.session_id, { push: true });
  });
  return row;
}

async function loadList() {
  const token = ++state.listRequest;
  if (state.listAbort) state.listAbort.abort();
  const abort = new AbortController();
  state.listAbort = abort;
  const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(state.offset) });
  if (state.status) params.set('status', state.status);
  if (state.q) params.set('q', state.q);
  ui.table.setAttribute('aria-busy', 'true'); // old rows stay visible while loading
  try {
    const reply = await requestJson(`/api/admin/analyses?${params}`, { signal: abort.signal });
    if (token !== state.listRequest) return; // superseded
    const sessions = reply.sessions || [];
    state.total = Number(reply.total) || 0;
    // Past the end (e.g. after a delete on the last page): step back one page.
    if (sessions.length === 0 && state.offset > 0 && state.total > 0) {
      state.offset = Math.max(0, Math.floor((state.total - 1) / PAGE_SIZE) * PAGE_SIZE);
      void loadList();
      return;
    }
    const rows = sessions.map(sessionRow);
    if (rows.length === 0)
      rows.push(
        el('tr', {}, [
          el('td', {
            className: 'muted',
            text: state.q || state.status ? 'No analyses match.' : 'No analyses yet.',
            attrs: { colspan: 9 },
          }),
        ]),
      );
    ui.body.replaceChildren(...rows);
    showError(ui.listError, '');
    renderPager(sessions.length);
  } catch (err) {
    if (token !== state.listRequest || (err && err.name === 'AbortError')) return;
    showError(ui.listError, `Could not load analyses: ${err.message}`);
  } finally {
    if (token === state.listRequest) ui.table.removeAttribute('aria-busy');
  }
}

function renderPager(count) {
  const first = count === 0 ? 0 : state.offset + 1;
  const last = state.offset + count;
  ui.pageInfo.textContent = `${first}–${last} of ${state.total}`;
  ui.prev.disabled = state.offset === 0;
  ui.next.disabled = last >= state.total;
}

ui.statusFilter.addEventListener('change', () => {
  state.status = ui.statusFilter.value;
  state.offset = 0;
  void loadList();
});
const onSearch = debounce(() => {
  const q = ui.searchInput.value.trim();
  if (q === state.q) return;
  state.q = q;
  state.offset = 0;
  void loadList();
}, SEARCH_DEBOUNCE_MS);
ui.searchInput.addEventListener('input', onSearch);
ui.prev.addEventListener('click', () => {
  state.offset = Math.max(0, state.offset - PAGE_SIZE);
  void loadList();
});
ui.next.addEventListener('click', () => {
  state.offset += PAGE_SIZE;
  void loadList();
});
ui.refreshButton.addEventListener('click', () => refreshAll());

// ---------- stats ----------

async function loadStats() {
  const token = ++state.statsRequest;
  try {
    const reply = await requestJson(`/api/admin/stats?days=${STATS_DAYS}`);
    if (token !== state.statsRequest) return;
    const t = reply.totals || {};
    fillDefinitionList(ui.totals, [
      ['Analyses', formatNumber(t.sessions)],
      [STATUS_LABELS.completed, formatNumber(t.completed)],
      [STATUS_LABELS.partial, formatNumber(t.partial)],
      [STATUS_LABELS.failed, formatNumber(t.failed)],
      ['Running', formatNumber((Number(t.queued) || 0) + (Number(t.active) || 0))],
      ['Tokens', formatNumber(t.total_tokens)],
      ['Total cost', formatCost(t.total_cost)],
    ]);
    const perDay = fillMissingDays(reply.per_day || [], STATS_DAYS);
    renderBarChart(
      ui.chartAnalyses,
      perDay.map((d) => ({ label: d.day, value: Number(d.analyses) || 0 })),
      { title: 'Analyses per day' },
    );
    renderBarChart(
      ui.chartCost,
      perDay.map((d) => ({ label: d.day, value: Number(d.cost) || 0 })),
      { title: 'Cost per day', formatValue: (v) => `$${v.toFixed(2)}`, className: 'cost' },
    );
    showError(ui.statsError, '');
  } catch (err) {
    if (token !== state.statsRequest) return;
    showError(ui.statsError, `Could not load statistics: ${err.message}`);
  }
}

/**
 * The API lists only days that had analyses; the chart needs every day of the window (zeros included) so
 * bar positions mean dates. Days are UTC, like the API's.
 */
export function fillMissingDays(perDay, days) {
  const byDay = new Map(perDay.map((d) => [d.day, d]));
  const latest = perDay.reduce((max, d) => (d.day > max ? d.day : max), new Date().toISOString().slice(0, 10));
  const end = Date.parse(`${latest}T00:00:00Z`);
  const DAY_MS = 86_400_000;
  const filled = [];
  for (let i = days - 1; i >= 0; i--) {
    const day = new Date(end - i * DAY_MS).toISOString().slice(0, 10);
    filled.push(byDay.get(day) || { day, analyses: 0, cost: 0 });
  }
  return filled;
}

// ---------- detail ----------

// ---------- the event timeline ----------

const EVENT_TITLES = {
  analysis_started: 'Analysis started',
  document_ingested: 'PDF read',
  config_loaded: 'Questions loaded',
  window_processing: 'Reading pages',
  window_complete: 'Pages done',
  question_answered: 'Question answered',
  results_ready: 'Results saved',
  analysis_complete: 'Analysis complete',
  analysis_stopped: 'Analysis stopped',
  analysis_failed: 'Analysis failed',
};

const STOP_REASONS = {
  user: 'stopped by a user',
  budget: 'stopped at the budget cap',
  shutdown: 'server shutting down',
};

function plural(n, word) {
  return `${formatNumber(n)} ${word}${Number(n) === 1 ? '' : 's'}`;
}

function pageRange(pages) {
  if (!Array.isArray(pages) || pages.length === 0) return null;
  return pages.length === 1 ? `page ${pages[0]}` : `pages ${pages[0]}–${pages[pages.length - 1]}`;
}

/** The event's name in words and its key facts (never the raw payload). */
function describeEvent(event) {
  const { event: name, index: _index, timestamp: _timestamp, attempt, ...d } = event;
  const facts = [];
  const has = (key) => d[key] !== undefined && d[key] !== null && d[key] !== '';
  let title = EVENT_TITLES[name] || (name ? name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()) : 'Event');
  switch (name) {
    case 'document_ingested':
      if (has('total_pages')) facts.push(plural(d.total_pages, 'page'));
      if (has('window_count')) facts.push(`read in ${plural(d.window_count, 'window')}`);
      if (has('ocr_pages') && Number(d.ocr_pages) > 0) facts.push(`${plural(d.ocr_pages, 'page')} by OCR`);
      break;
    case 'config_loaded':
      if (has('total_questions')) facts.push(plural(d.total_questions, 'question'));
      if (has('section_count')) facts.push(`in ${plural(d.section_count, 'section')}`);
      break;
    case 'window_processing':
    case 'window_complete':
      if (has('window_num'))
        title = `${name === 'window_complete' ? 'Done with' : 'Reading'} window ${d.window_num}${has('total_windows') ? ` of ${d.total_windows}` : ''}`;
      if (pageRange(d.pages)) facts.push(pageRange(d.pages));
      if (Array.isArray(d.new_answers)) facts.push(`${plural(d.new_answers.length, 'new answer')}`);
      if (has('processing_time')) facts.push(formatDuration(d.processing_time));
      if (has('tokens_used') && Number(d.tokens_used) > 0) facts.push(plural(d.tokens_used, 'token'));
      break;
    case 'question_answered':
      if (has('question_id')) facts.push(String(d.question_id));
      if (pageRange(d.pages)) facts.push(pageRange(d.pages));
      if (has('confidence')) facts.push(`confidence ${Math.round(Number(d.confidence) * 100)}%`);
      break;
    case 'analysis_complete':
    case 'analysis_stopped':
      if (has('reason')) facts.push(STOP_REASONS[d.reason] || String(d.reason));
      if (has('questions_answered') && has('total_questions'))
        facts.push(`${formatNumber(d.questions_answered)} of ${plural(d.total_questions, 'question')} answered`);
      if (has('processing_time')) facts.push(`in ${formatDuration(d.processing_time)}`);
      if (has('total_tokens') && Number(d.total_tokens) > 0) facts.push(plural(d.total_tokens, 'token'));
      if (has('estimated_cost') && Number(String(d.estimated_cost).replace('$', '')) > 0)
        facts.push(formatCost(d.estimated_cost));
      break;
    case 'analysis_failed':
      if (has('error')) facts.push(String(d.error));
      if (has('error_type')) facts.push(`(${d.error_type})`);
      break;
    case 'results_ready':
    case 'analysis_started':
      break;
    default:
      // Unknown events: their plain values, with readable keys.
      for (const [key, value] of Object.entries(d)) {
        if (value === null || value === undefined || typeof value === 'object') continue;
        facts.push(`${key.replace(/_/g, ' ')}: ${value}`);
        if (facts.length >= 4) break;
      }
  }
  if (attempt !== undefined && Number(attempt) > 1) facts.push(`attempt ${attempt}`);
  return { title, facts };
}

function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function renderEvents(events) {
  const list = events || [];
  // Many windows make many near-identical lines: "Reading window N" is folded into its "Done with window N".
  const done = new Set(list.filter((e) => e.event === 'window_complete').map((e) => e.window_num));
  const items = list
    .filter((e) => !(e.event === 'window_processing' && done.has(e.window_num)))
    .map((event) => {
      const { title, facts } = describeEvent(event);
      const kind =
        event.event === 'analysis_failed'
          ? ' event-failed'
          : event.event === 'analysis_stopped'
            ? ' event-stopped'
            : event.event === 'analysis_complete'
              ? ' event-complete'
              : '';
      return el('li', { className: `event${kind}`, attrs: { 'data-event': event.event } }, [
        el('time', {
          text: formatTime(event.timestamp),
          attrs: { datetime: event.timestamp || '', title: formatDate(event.timestamp) },
        }),
        el('span', { className: 'event-title', text: title }),
        facts.length ? el('span', { className: 'event-facts', text: facts.join(' · ') }) : null,
      ]);
    });
  if (items.length === 0) items.push(el('li', { className: 'muted', text: 'No events.' }));
  ui.detailEvents.replaceChildren(...items);
}

function renderDetail(reply) {
  const session = reply.session || {};
  const stats = reply.statistics || {};
  state.detailSession = session;
  ui.detailTitle.replaceChildren(
    'Analysis ',
    el('code', { text: shortId(session.session_id) }),
    ' ',
    statusBadge(session.status),
  );
  fillDefinitionList(ui.detailSummary, [
    ['Session', session.session_id],
    ['PDF', session.pdf_filename || session.document_name || '—'],
    ['Created', formatDate(session.created_at)],
    ['Status', STATUS_LABELS[session.status] || session.status || '—'],
    [
      'Answered',
      `${session.questions_answered ?? stats.questions_answered ?? 0} / ${session.total_questions ?? stats.total_questions ?? 0}`,
    ],
    ['Average confidence', stats.average_confidence || '—'],
    ['Processing time', formatDuration(session.processing_time ?? stats.processing_time)],
    ['Tokens', formatNumber(session.total_tokens ?? stats.total_tokens)],
    ['Cost', formatCost(session.estimated_cost ?? stats.estimated_cost)],
    ['Engine', session.engine ? `${session.engine}${session.model ? ` (${session.model})` : ''}` : '—'],
    ['Owner', ownerLabel(session)],
  ]);
  if (session.error) {
    ui.detailBanner.className = `banner banner-${session.status === 'failed' ? 'error' : 'warn'}`;
    ui.detailBanner.replaceChildren(
      el('strong', { text: STATUS_LABELS[session.status] || 'Note' }),
      el('span', { text: ` — ${session.error}` }),
    );
    ui.detailBanner.hidden = false;
  } else {
    ui.detailBanner.hidden = true;
  }
  ui.detailStop.hidden = !isRunning(session.status);
  ui.detailStop.disabled = !isRunning(session.status);
  ui.detailOpen.href = urls.analyzerSession(session.session_id);
  renderExportLinks(ui.detailExports, session.session_id, EXPORT_FORMATS);
  renderAnswers(ui.detailAnswers, reply.result || { sections: [] }, {
    sessionId: session.session_id,
    running: isRunning(session.status),
  });
  renderEvents(reply.events);
}

async function loadDetail(sessionId) {
  const token = ++state.detailRequest;
  ui.detail.setAttribute('aria-busy', 'true');
  try {
    const reply = await requestJson(`/api/admin/analysis/${encodeURIComponent(sessionId)}`);
    if (token !== state.detailRequest || state.detailId !== sessionId) return;
    showError(ui.detailError, '');
    renderDetail(reply);
  } catch (err) {
    if (token !== state.detailRequest) return;
    showError(ui.detailError, `Could not load this analysis: ${err.message}`);
  } finally {
    if (token === state.detailRequest) ui.detail.removeAttribute('aria-busy');
  }
}

function openDetail(sessionId, { push }) {
  if (push) history.pushState({ session: sessionId }, '', urls.adminSession(sessionId));
  if (state.detailId !== sessionId) {
    ui.detailTitle.replaceChildren('Analysis ', el('code', { text: shortId(sessionId) }));
    ui.detailSummary.replaceChildren();
    ui.detailAnswers.replaceChildren();
    ui.detailEvents.replaceChildren();
    ui.detailExports.replaceChildren();
    ui.detailBanner.hidden = true;
  }
  state.detailId = sessionId;
  ui.detail.hidden = false;
  ui.list.hidden = true;
  void loadDetail(sessionId).then(() => ui.detailTitle.focus());
}

function closeDetail({ push }) {
  if (push) history.pushState({}, '', '/admin');
  state.detailId = null;
  state.detailSession = null;
  state.detailRequest++;
  ui.detail.hidden = true;
  ui.list.hidden = false;
  showError(ui.detailError, '');
}

ui.detailTitle.setAttribute('tabindex', '-1');
ui.detailClose.addEventListener('click', () => {
  closeDetail({ push: true });
  void loadList();
});

window.addEventListener('popstate', () => routeFromUrl());

function routeFromUrl() {
  const id = new URLSearchParams(location.search).get('session');
  if (id) openDetail(id, { push: false });
  else closeDetail({ push: false });
}

ui.detailStop.addEventListener('click', async () => {
  const id = state.detailId;
  if (!id) return;
  ui.detailStop.disabled = true;
  try {
    await requestJson(`/api/stop/${encodeURIComponent(id)}`, { method: 'POST' });
  } catch (err) {
    showError(ui.detailError, `Could not stop: ${err.message}`);
  }
  if (state.detailId === id) void loadDetail(id);
});

ui.detailDelete.addEventListener('click', () => {
  if (!state.detailId) return;
  const session = state.detailSession || {};
  const name = session.pdf_filename || session.document_name || 'this document';
  ui.deleteTitle.textContent = `Delete the analysis of “${name}”?`;
  ui.deleteText.textContent = `This permanently removes the analysis of “${name}” (session ${shortId(state.detailId)}, ${formatDate(session.created_at)}${session.owner_email ? `, run by ${session.owner_email}` : ''}): its answers, reviews, events and stored PDF.`;
  ui.deleteDialog.returnValue = '';
  ui.deleteDialog.showModal();
});

ui.deleteDialog.addEventListener('close', async () => {
  const id = state.detailId;
  if (ui.deleteDialog.returnValue !== 'confirm' || !id) {
    ui.detailDelete.focus();
    return;
  }
  try {
    await requestJson(`/api/admin/analysis/${encodeURIComponent(id)}`, { method: 'DELETE' });
    closeDetail({ push: true });
    refreshAll();
  } catch (err) {
    showError(ui.detailError, `Could not delete: ${err.message}`);
  }
});

// ---------- start-up ----------

function refreshAll() {
  void loadStats();
  if (!ui.list.hidden) void loadList();
  else if (state.detailId) void loadDetail(state.detailId);
}

setInterval(() => {
  if (document.visibilityState === 'visible') refreshAll();
}, AUTO_REFRESH_MS);

// Page citations in the detail open the PDF beside it, at that page with the quote highlighted.
attachCitationPanel(ui.detailAnswers);
routeFromUrl();
void loadStats();
void loadList();
