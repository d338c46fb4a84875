/* global queueMicrotask */
// The cited page beside the questions: the document viewer (viewer/document-viewer.js, pdf.js) in the side
// panel of viewer/citation-panel.js — beside the list on a desktop, the whole screen on a phone. A click on a
// page citation opens it there with the quote highlighted; `o` opens the current question's first cited page;
// while the panel is open, stepping to another question (j/k, a, r) shows that question's page.
import { urls } from '../api.js';
import { byId } from '../dom.js';
import { attachCitationPanel } from '../viewer/citation-panel.js';
import { store } from './store.js';

let panel = null;

export function initViewer() {
  panel = attachCitationPanel(byId('answers-body'));
}

function citationButton(questionId, page) {
  const list = byId('answers-body');
  for (const row of list.querySelectorAll('.q-row')) {
    if (row.getAttribute('data-question-id') !== questionId) continue;
    const head = row.querySelector(`.q-meta button[data-cite-page="${Number(page)}"]`);
    return head || row.querySelector(`button[data-cite-page="${Number(page)}"]`);
  }
  return null;
}

/** Open `page` of the analysed document for `questionId`. Returns true when something was opened. */
export function openPage(questionId, page) {
  const sessionId = store.get().run.sessionId;
  if (!sessionId || !page) return false;
  const button = panel && citationButton(questionId, page);
  if (button) {
    void panel.open(button);
    return true;
  }
  // The row is not on screen (a collapsed section): the stored PDF at that page, in a new tab.
  window.open(urls.documentPage(sessionId, page), '_blank', 'noopener');
  return true;
}

/** After the cursor moved: if the viewer is open, show the new current question's first cited page. */
export function followCursor() {
  if (!panel || !panel.isOpen()) return;
  // After the store's render (queued first), so the current row and its citations are in the page.
  queueMicrotask(() => {
    const { cursor } = store.get().review;
    const q = cursor && store.get().results.result ? findQuestion(store.get().results.result, cursor) : null;
    const pages = (q && q.page_citations) || [];
    if (pages.length) openPage(cursor, pages[0]);
  });
}

function findQuestion(result, id) {
  for (const section of result.sections || [])
    for (const q of section.questions || []) if (q.question_id === id) return q;
  return null;
}

/** After a render that redrew the row: open (again) from its redrawn citation of `page`. */
export function reopenAfterRender(questionId, page) {
  if (!panel || !panel.isOpen()) return;
  queueMicrotask(() => {
    const button = citationButton(questionId, page);
    if (button) void panel.open(button);
  });
}

export function closeViewer() {
  if (panel) panel.close();
}
