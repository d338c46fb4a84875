/* global Element, HTMLFormElement */
// The questions, grouped by section (collapsible, with answered/total), one compact row each: the answer once,
// its confidence and pages; the quote, variants, review and actions in the row's detail (open for the current
// question). Rows are keyed by question id and rebuilt only when their question or their flags change, so a
// keypress on a 1,000-question result touches two rows, not a thousand.
import { byId, el, formatDate } from '../dom.js';
import { confidenceBadge, pageLinks } from '../results-view.js';
import { store } from './store.js';
import { REVIEW_STATUS_LABELS, allEntries, filtersActive, selectQueue } from './review-queue.js';
import {
  dismissConflict,
  loadHistory,
  parsePages,
  retryConflict,
  sendReview,
  setCursor,
  startEditing,
  stopEditing,
} from './review-actions.js';
import { openPage, reopenAfterRender } from './viewer-pane.js';
import { loadQuestionPasses } from './rerun.js';

const ui = { list: byId('answers-body') };

const STATE_ATTR = { answered: 'answered', pending: 'pending', not_found: 'not-found', not_examined: 'not-examined' };
const REVIEW_MARKS = { accepted: '✓', edited: '✎', rejected: '✗', unreviewed: '' };
const ACTION_LABELS = { accept: 'Accepting…', edit: 'Saving…', reject: 'Rejecting…', reset: 'Resetting…' };

/** question_id → {q, props, node} */
const rowCache = new Map();
/** section_id → {node, head, rows, key} */
const sectionCache = new Map();
/** Unsaved editor input and notes, kept outside the state so typing never re-renders. question_id → {...} */
const drafts = new Map();
const notes = new Map();

function rowProps(state, entry, flat) {
  const id = entry.q.question_id;
  const r = state.review;
  const current = r.cursor === id;
  return {
    current,
    open: current || r.expanded.includes(id),
    editing: r.editing === id,
    pending: r.pending[id] || '',
    error: r.errors[id] || '',
    conflict: r.conflicts[id] || null,
    history: r.history[id] || null,
    flat,
    status: entry.status,
    sessionId: state.run.sessionId,
    pass: state.rerun.passOf[id] || 0,
    passChanged: Boolean(state.rerun.changed[id]),
    earlier: state.rerun.earlier[id] || null,
  };
}

function sameProps(a, b) {
  for (const key of Object.keys(a)) if (a[key] !== b[key]) return false;
  return true;
}

function answerNode(q, status) {
  if (status === 'answered') return el('div', { className: 'answer-text', text: q.answer });
  if (status === 'pending') return el('span', { className: 'pending', text: 'Pending' });
  if (status === 'not_examined')
    return el('span', {
      className: 'muted not-examined',
      text: 'Not examined',
      attrs: { title: 'The run stopped before reaching this question' },
    });
  return el('span', { className: 'muted not-found', text: 'Not found' });
}

function reviewLine(q) {
  const review = q.review;
  if (!review || !review.status) return null;
  const parts = [
    el('strong', { text: REVIEW_STATUS_LABELS[review.status] || review.status }),
    ` by ${review.by || 'someone'} ${review.at ? `at ${formatDate(review.at)}` : ''}`,
  ];
  if (review.note) parts.push(' — ', el('span', { className: 'review-note', text: review.note }));
  const line = el('p', { className: `review-line review-${review.status}` }, parts);
  if (review.verified === false)
    line.append(el('span', { className: 'badge unverified', text: 'Unverified: the quote is not on the cited pages' }));
  return line;
}

function machineLine(q, sessionId) {
  const m = q.machine_answer;
  if (!m || !q.review || q.review.status === 'accepted') return null;
  return el('div', { className: 'machine-answer' }, [
    el('span', { className: 'detail-label', text: 'The engine said: ' }),
    el('span', { className: 'answer-text', text: m.answer ?? 'Not found' }),
    ' ',
    m.answer ? pageLinks(sessionId, m.page_citations, m.footnote, `${q.question_id} (engine)`) : null,
  ]);
}

function variantsList(q, sessionId) {
  const variants = Array.isArray(q.variants) ? q.variants : [];
  if (variants.length === 0) return null;
  const list = el('ul', { className: 'variants', attrs: { 'aria-label': 'Other answers in the document' } });
  for (const v of variants) {
    list.append(
      el('li', {}, [
        el('span', { className: 'variant-label', text: 'Also: ' }),
        el('span', { className: 'answer-text', text: v.answer ?? '' }),
        ' ',
        pageLinks(sessionId, v.pages, v.footnote, q.question_id),
        ' ',
        confidenceBadge(v.confidence),
        v.footnote ? el('blockquote', { className: 'footnote', text: v.footnote }) : null,
      ]),
    );
  }
  return list;
}

function conflictBox(conflict) {
  const theirs = conflict.theirs;
  const by =
    theirs && theirs.review
      ? `${REVIEW_STATUS_LABELS[theirs.review.status] || 'Changed'} by ${theirs.review.by || 'someone'}${theirs.review.at ? ` at ${formatDate(theirs.review.at)}` : ''}`
      : 'Changed by someone else';
  const mine = conflict.mine;
  return el('div', { className: 'conflict', attrs: { role: 'alert' } }, [
    el('p', {}, [
      el('strong', { text: 'Someone reviewed this question meanwhile. ' }),
      `${by}: `,
      el('span', { className: 'answer-text', text: theirs ? (theirs.answer ?? 'Not found') : '(unknown)' }),
    ]),
    el('p', {}, [
      `Yours (${mine.action})${mine.answer !== undefined ? ': ' : ''}`,
      mine.answer !== undefined ? el('span', { className: 'answer-text', text: mine.answer }) : null,
    ]),
    el('div', { className: 'inline-controls' }, [
      el('button', {
        className: 'button small primary',
        text: 'Apply mine anyway',
        attrs: { type: 'button', 'data-action': 'retry' },
      }),
      el('button', {
        className: 'button small',
        text: 'Keep theirs',
        attrs: { type: 'button', 'data-action': 'dismiss' },
      }),
    ]),
  ]);
}

function editor(entry) {
  const q = entry.q;
  const n = entry.index;
  const draft = drafts.get(q.question_id) || {
    answer: q.answer ?? '',
    pages: (q.page_citations || []).join(', '),
    note: (q.review && q.review.note) || '',
  };
  const answer = el('textarea', {
    className: 'edit-answer',
    attrs: { id: `edit-answer-${n}`, rows: 3, 'data-field': 'answer' },
  });
  answer.value = draft.answer;
  const pages = el('input', {
    className: 'edit-pages',
    attrs: {
      id: `edit-pages-${n}`,
      type: 'text',
      inputmode: 'numeric',
      autocomplete: 'off',
      placeholder: 'e.g. 3, 5-6',
      'data-field': 'pages',
    },
  });
  pages.value = draft.pages;
  const note = el('input', {
    className: 'edit-note',
    attrs: { id: `edit-note-${n}`, type: 'text', autocomplete: 'off', maxlength: 2000, 'data-field': 'note' },
  });
  note.value = draft.note;
  return el('form', { className: 'q-editor', attrs: { 'data-question-id': q.question_id, novalidate: true } }, [
    el('div', { className: 'field' }, [el('label', { text: 'Answer', attrs: { for: answer.id } }), answer]),
    el('div', { className: 'editor-row' }, [
      el('div', { className: 'field' }, [el('label', { text: 'Pages', attrs: { for: pages.id } }), pages]),
      el('div', { className: 'field grow' }, [el('label', { text: 'Note (optional)', attrs: { for: note.id } }), note]),
    ]),
    el('p', { className: 'field-error editor-error', attrs: { role: 'alert' } }),
    el('div', { className: 'inline-controls' }, [
      el('button', { className: 'button small primary', text: 'Save edit', attrs: { type: 'submit' } }),
      el('button', {
        className: 'button small',
        text: 'Cancel',
        attrs: { type: 'button', 'data-action': 'cancel-edit' },
      }),
      el('span', { className: 'hint', text: 'Ctrl+Enter saves, Escape cancels.' }),
    ]),
  ]);
}

function actions(entry, props) {
  const q = entry.q;
  const busy = Boolean(props.pending);
  const button = (action, label, key, extra = '') =>
    el(
      'button',
      {
        className: `button small${extra}`,
        text: label,
        attrs: {
          type: 'button',
          'data-action': action,
          'aria-keyshortcuts': key || null,
          disabled: busy || (action === 'open' && !(q.page_citations || []).length),
        },
      },
      key ? [el('kbd', { text: key })] : [],
    );
  const noteInput = el('input', {
    className: 'q-note-input',
    attrs: {
      type: 'text',
      autocomplete: 'off',
      maxlength: 2000,
      placeholder: 'Note (optional)',
      'aria-label': `Review note for ${q.question_id}`,
      'data-field': 'note',
    },
  });
  noteInput.value = notes.get(q.question_id) || '';
  return el('div', { className: 'q-actions' }, [
    button('accept', 'Accept ', 'a', ' accept'),
    button('edit', 'Edit ', 'e'),
    button('reject', 'Reject ', 'r', ' danger'),
    q.review ? button('reset', 'Reset') : null,
    button('open', 'Open page ', 'o'),
    button('history', 'History'),
    noteInput,
    busy
      ? el('span', { className: 'hint', text: ACTION_LABELS[props.pending] || 'Saving…', attrs: { role: 'status' } })
      : null,
  ]);
}

function historyList(history) {
  if (!history) return null;
  if (history.loading) return el('p', { className: 'hint', text: 'Loading the history…' });
  if (history.error) return el('p', { className: 'field-error', text: `Could not load the history: ${history.error}` });
  if (history.entries.length === 0)
    return el('p', { className: 'hint', text: 'No review yet: this is the engine’s answer.' });
  return el(
    'ol',
    { className: 'review-history', attrs: { 'aria-label': 'Review history, oldest first' } },
    history.entries.map((h) =>
      el('li', {}, [
        el('time', { text: formatDate(h.at), attrs: { datetime: h.at || '' } }),
        ` ${h.by || 'someone'} `,
        el('strong', { text: h.action }),
        h.answer !== undefined && h.answer !== null && h.action === 'edit'
          ? el('span', { text: `: “${h.answer}”` })
          : null,
        Array.isArray(h.pages) && h.pages.length && h.action === 'edit'
          ? el('span', { text: ` (p. ${h.pages.join(', ')})` })
          : null,
        h.action === 'edit' && h.verified === false
          ? el('span', { className: 'badge unverified', text: 'unverified' })
          : null,
        h.note ? el('span', { className: 'review-note', text: ` — ${h.note}` }) : null,
      ]),
    ),
  );
}

function passBadge(props) {
  const title = `Answered by re-run pass ${props.pass}${props.passChanged ? ': the answer changed' : ': the same answer as before'}`;
  return el('span', {
    className: `badge pass-badge${props.passChanged ? ' pass-changed' : ''}`,
    text: `pass ${props.pass}`,
    attrs: { title, 'data-pass': String(props.pass) },
  });
}

/** The answers earlier passes gave (replaced by a re-run), oldest first. */
function earlierPasses(earlier) {
  if (!earlier || earlier.length === 0) return null;
  return el('div', { className: 'earlier' }, [
    el('span', { className: 'detail-label', text: 'Earlier passes' }),
    el(
      'ol',
      { className: 'earlier-passes', attrs: { 'aria-label': 'Answers of earlier passes, oldest first' } },
      earlier.map((v) =>
        el('li', { attrs: { 'data-pass': String(v.pass) } }, [
          el('strong', { text: `Pass ${v.pass}: ` }),
          v.answer === null || v.answer === undefined
            ? el('span', { className: 'muted', text: 'Not found' })
            : el('span', { className: 'answer-text', text: v.answer }),
          ' ',
          v.answer === null || v.answer === undefined ? null : confidenceBadge(v.confidence),
          Array.isArray(v.pages) && v.pages.length
            ? el('span', { className: 'muted', text: ` p. ${v.pages.join(', ')}` })
            : null,
        ]),
      ),
    ),
  ]);
}

function detail(entry, props) {
  const q = entry.q;
  const answered = props.status === 'answered';
  return el('div', { className: 'q-detail' }, [
    reviewLine(q),
    machineLine(q, props.sessionId),
    q.footnote
      ? el('div', { className: 'quote' }, [
          el('span', { className: 'detail-label', text: 'Quote' }),
          el('blockquote', { className: 'footnote', text: q.footnote }),
        ])
      : answered
        ? null
        : el('p', {
            className: 'hint',
            text:
              props.status === 'not_examined'
                ? 'The run stopped before this question was looked for.'
                : props.status === 'pending'
                  ? 'Not answered yet.'
                  : 'The document was searched; no answer was found.',
          }),
    variantsList(q, props.sessionId),
    props.conflict ? conflictBox(props.conflict) : null,
    props.error ? el('p', { className: 'field-error', text: props.error, attrs: { role: 'alert' } }) : null,
    props.status === 'pending' ? null : props.editing ? editor(entry) : actions(entry, props),
    historyList(props.history),
    earlierPasses(props.earlier),
  ]);
}

function buildRow(entry, props) {
  const q = entry.q;
  const stateAttr = STATE_ATTR[props.status] || 'not-found';
  const answered = props.status === 'answered';
  const row = el('li', {
    className: `q-row row-${stateAttr}${props.current ? ' current' : ''}${props.open ? ' open' : ''}`,
    attrs: {
      'data-question-id': q.question_id,
      'data-state': stateAttr,
      'data-review': entry.review,
      'data-band': entry.band,
      tabindex: '-1',
      'aria-current': props.current ? 'true' : null,
    },
  });
  const mark = REVIEW_MARKS[entry.review];
  row.append(
    el('div', { className: 'q-head' }, [
      el('span', { className: `q-mark review-${entry.review}`, text: mark, attrs: { 'aria-hidden': 'true' } }),
      el(
        'button',
        {
          className: 'q-toggle',
          attrs: { type: 'button', 'data-action': 'toggle', 'aria-expanded': String(props.open) },
        },
        [
          el('span', { className: 'question-id', text: q.question_id }),
          ' ',
          el('span', { className: 'q-text', text: q.question }),
          props.flat ? el('span', { className: 'q-section-name', text: entry.sectionName }) : null,
        ],
      ),
      el('div', { className: 'q-answer' }, [answerNode(q, props.status)]),
      el('div', { className: 'q-meta' }, [
        answered ? confidenceBadge(q.confidence) : null,
        answered ? pageLinks(props.sessionId, q.page_citations, q.footnote, q.question_id) : null,
        entry.review !== 'unreviewed'
          ? el('span', {
              className: `badge review-badge review-${entry.review}`,
              text: REVIEW_STATUS_LABELS[entry.review],
            })
          : null,
        props.pass > 1 ? passBadge(props) : null,
      ]),
    ]),
  );
  if (props.open) row.append(detail(entry, props));
  return row;
}

function rowFor(state, entry, flat) {
  const id = entry.q.question_id;
  const props = rowProps(state, entry, flat);
  const cached = rowCache.get(id);
  if (cached && cached.q === entry.q && cached.review === entry.review && sameProps(cached.props, props))
    return cached.node;
  const node = buildRow(entry, props);
  rowCache.set(id, { q: entry.q, review: entry.review, props, node });
  return node;
}

/** Make `parent`'s children exactly `nodes`, moving only what is out of place. */
function syncChildren(parent, nodes) {
  let i = 0;
  for (; i < nodes.length; i++) {
    const node = nodes[i];
    const at = parent.childNodes[i];
    if (at !== node) parent.insertBefore(node, at || null);
  }
  while (parent.childNodes.length > nodes.length) parent.lastChild.remove();
}

let sectionStatsFor = null;
let sectionStats = new Map();

function statsBySection(state) {
  const entries = allEntries(state.results.result, state.results.running, state.results.passQuestions);
  if (sectionStatsFor === entries) return sectionStats;
  sectionStats = new Map();
  for (const e of entries) {
    const s = sectionStats.get(e.sectionId) || { name: e.sectionName, total: 0, answered: 0, reviewed: 0 };
    s.total += 1;
    if (e.status === 'answered') s.answered += 1;
    if (e.review !== 'unreviewed') s.reviewed += 1;
    sectionStats.set(e.sectionId, s);
  }
  sectionStatsFor = entries;
  return sectionStats;
}

function sectionNode(sectionId, stats, collapsed, shown) {
  const key = `${stats.name}|${stats.answered}|${stats.total}|${stats.reviewed}|${collapsed}|${shown}`;
  let cached = sectionCache.get(sectionId);
  if (!cached) {
    const rows = el('ol', { className: 'q-rows' });
    const node = el('section', { className: 'q-section', attrs: { 'data-section-id': sectionId } }, [
      el('h3', { className: 'q-section-head' }),
      rows,
    ]);
    cached = { node, head: node.firstChild, rows, key: '' };
    sectionCache.set(sectionId, cached);
  }
  if (cached.key !== key) {
    cached.key = key;
    const filtered = shown !== stats.total ? ` · ${shown} shown` : '';
    cached.head.replaceChildren(
      el(
        'button',
        {
          className: 'q-section-toggle',
          attrs: {
            type: 'button',
            'data-action': 'toggle-section',
            'data-section-id': sectionId,
            'aria-expanded': String(!collapsed),
          },
        },
        [
          el('span', { className: 'q-section-title', text: stats.name }),
          el('span', { className: 'q-section-count', text: `${stats.answered}/${stats.total} answered` }),
          el('span', { className: 'q-section-reviewed', text: `${stats.reviewed} reviewed${filtered}` }),
        ],
      ),
    );
    cached.node.classList.toggle('collapsed', collapsed);
  }
  return cached;
}

let flatList = null;
let emptyNode = null;

export function renderQuestionList(state, prev) {
  if (
    prev &&
    state.results === prev.results &&
    state.review === prev.review &&
    state.rerun === prev.rerun &&
    state.run.sessionId === prev.run.sessionId
  )
    return;
  const result = state.results.result;
  const queue = selectQueue(state);
  const flat = state.review.filters.order !== 'document';
  const top = [];
  if (queue.length === 0) {
    const text = !result
      ? 'Loading the results…'
      : filtersActive(state.review.filters)
        ? 'No question matches these filters.'
        : state.results.running
          ? 'Waiting for the first answers…'
          : 'No answers.';
    emptyNode = emptyNode || el('p', { className: 'muted q-empty' });
    emptyNode.textContent = text;
    top.push(emptyNode);
  } else if (flat) {
    flatList = flatList || el('ol', { className: 'q-rows flat' });
    syncChildren(
      flatList,
      queue.map((e) => rowFor(state, e, true)),
    );
    top.push(flatList);
  } else {
    const stats = statsBySection(state);
    const collapsed = new Set(state.review.collapsed);
    const groups = new Map();
    for (const e of queue) {
      const list = groups.get(e.sectionId) || [];
      list.push(e);
      groups.set(e.sectionId, list);
    }
    for (const [sectionId, entries] of groups) {
      const isCollapsed = collapsed.has(sectionId);
      const section = sectionNode(sectionId, stats.get(sectionId), isCollapsed, entries.length);
      syncChildren(section.rows, isCollapsed ? [] : entries.map((e) => rowFor(state, e, false)));
      top.push(section.node);
    }
  }
  syncChildren(ui.list, top);
  // Forget rows and sections of another result (a different session).
  if (prev && prev.run.sessionId !== state.run.sessionId) {
    rowCache.clear();
    sectionCache.clear();
  }

  const cursor = state.review.cursor;
  if (cursor && (!prev || prev.review.cursor !== cursor)) {
    const cached = rowCache.get(cursor);
    if (cached && cached.node.isConnected) {
      cached.node.scrollIntoView({ block: 'nearest' });
      const active = document.activeElement;
      if (!active || active === document.body || ui.list.contains(active)) cached.node.focus({ preventScroll: true });
    }
  }
  if (state.review.editing && (!prev || prev.review.editing !== state.review.editing)) {
    const cached = rowCache.get(state.review.editing);
    const area = cached && cached.node.querySelector('textarea');
    if (area) area.focus();
  }
}

// ---------- events (delegated: rows are rebuilt, the list is not) ----------

function saveEdit(form) {
  const id = form.getAttribute('data-question-id');
  const answer = form.querySelector('[data-field=answer]').value.trim();
  const pagesText = form.querySelector('[data-field=pages]').value;
  const note = form.querySelector('[data-field=note]').value.trim();
  const error = form.querySelector('.editor-error');
  const pages = parsePages(pagesText);
  if (!answer) error.textContent = 'Write the answer (to say the document does not answer it, Reject instead).';
  else if (pages === null) error.textContent = 'Pages: page numbers separated by commas, e.g. 3, 5-6.';
  else {
    error.textContent = '';
    drafts.delete(id);
    const fields = { answer, pages };
    if (note) fields.note = note;
    void sendReview(id, 'edit', fields);
  }
}

function toggleExpanded(id) {
  store.update('review', (r) => {
    const open = r.cursor === id || r.expanded.includes(id);
    if (open) return { expanded: r.expanded.filter((x) => x !== id), cursor: r.cursor === id ? null : r.cursor };
    return { expanded: [...r.expanded, id], cursor: id };
  });
}

export function noteFor(questionId) {
  return (notes.get(questionId) || '').trim();
}

function onAction(action, id, target) {
  switch (action) {
    case 'toggle':
      toggleExpanded(id);
      break;
    case 'toggle-section': {
      const sectionId = target.getAttribute('data-section-id');
      store.update('review', (r) => ({
        collapsed: r.collapsed.includes(sectionId)
          ? r.collapsed.filter((s) => s !== sectionId)
          : [...r.collapsed, sectionId],
      }));
      break;
    }
    case 'accept':
    case 'reject':
    case 'reset': {
      setCursor(id);
      const note = noteFor(id);
      notes.delete(id);
      void sendReview(id, action, note ? { note } : {});
      break;
    }
    case 'edit':
      startEditing(id);
      break;
    case 'cancel-edit':
      drafts.delete(id);
      stopEditing();
      break;
    case 'open': {
      const q = rowCache.get(id);
      const pages = (q && q.q.page_citations) || [];
      if (pages.length) openPage(id, pages[0]);
      break;
    }
    case 'history': {
      void loadHistory(id);
      const sessionId = store.get().run.sessionId;
      if (sessionId) void loadQuestionPasses(sessionId, id);
      break;
    }
    case 'retry':
      retryConflict(id);
      break;
    case 'dismiss':
      dismissConflict(id);
      break;
    default:
      break;
  }
}

export function initQuestionList() {
  ui.list.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    // Page citations (button[data-cite-page]) are the document viewer's: viewer-pane.js listens for them.
    const cite = target.closest('button[data-cite-page]');
    if (cite) {
      // The viewer opened from this click; the question becomes the current one, and as its row is redrawn
      // the viewer is pointed at the redrawn citation (so Escape returns focus to it).
      const row = cite.closest('.q-row');
      if (row && row.getAttribute('aria-current') !== 'true') {
        const id = row.getAttribute('data-question-id');
        setCursor(id);
        reopenAfterRender(id, Number(cite.getAttribute('data-cite-page')));
      }
      return;
    }
    const control = target.closest('[data-action]');
    if (!control || !ui.list.contains(control)) return;
    const row = control.closest('.q-row');
    onAction(control.getAttribute('data-action'), row ? row.getAttribute('data-question-id') : null, control);
  });
  ui.list.addEventListener('submit', (event) => {
    event.preventDefault();
    if (event.target instanceof HTMLFormElement) saveEdit(event.target);
  });
  ui.list.addEventListener('input', (event) => {
    const input = event.target;
    if (!(input instanceof Element)) return;
    const row = input.closest('.q-row');
    if (!row) return;
    const id = row.getAttribute('data-question-id');
    const form = input.closest('form.q-editor');
    if (form) {
      drafts.set(id, {
        answer: form.querySelector('[data-field=answer]').value,
        pages: form.querySelector('[data-field=pages]').value,
        note: form.querySelector('[data-field=note]').value,
      });
    } else if (input.classList.contains('q-note-input')) {
      notes.set(id, input.value);
    }
  });
  ui.list.addEventListener('keydown', (event) => {
    const form = event.target instanceof Element ? event.target.closest('form.q-editor') : null;
    if (!form) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      drafts.delete(form.getAttribute('data-question-id'));
      stopEditing();
    } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      saveEdit(form);
    }
  });
}
