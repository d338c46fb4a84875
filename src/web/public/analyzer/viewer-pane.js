// Opening a cited page. Until the in-page PDF viewer is available, a page opens the stored PDF at that page in
// a new tab (/api/document/:id#page=N), which is also what a page link does by itself.
import { urls } from '../api.js';
import { store } from './store.js';

/**
 * Open `page` of the analysed document for `questionId`. Returns true when handled here; false tells a
 * clicked link to follow its own href (a new tab).
 */
export function openPage(questionId, page, { fromLink = false } = {}) {
  const sessionId = store.get().run.sessionId;
  if (!sessionId || !page) return false;
  if (fromLink) return false;
  window.open(urls.documentPage(sessionId, page), '_blank', 'noopener');
  return true;
}

export function renderViewer() {}
