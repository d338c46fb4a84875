// Page-citation buttons in a results table → the document viewer in a side panel (beside the results on a
// desktop, the whole screen on a phone). The buttons are plain markup written by results-view.js:
//   <button data-cite-page="12" data-cite-document="/api/document/ID" data-cite-quote="…" data-cite-label="Q11">
// A click opens the viewer at that page with that quote highlighted; the answer's other citation buttons in
// the same row (its other pages, its variants' pages) become the pages Prev/Next step through.
import { createDocumentViewer } from './document-viewer.js';

/**
 * Listen for citation clicks inside `table` (event delegation: the rows may be re-rendered at any time).
 * Returns {open(button), close()}.
 */
export function attachCitationPanel(table) {
  let panel = null;
  let heading = null;
  let newTab = null;
  let viewer = null;
  let opener = null;

  function build() {
    panel = document.createElement('aside');
    panel.className = 'document-panel';
    panel.id = 'document-panel';
    panel.hidden = true;
    panel.setAttribute('aria-labelledby', 'document-panel-title');
    const head = document.createElement('div');
    head.className = 'document-panel-head';
    heading = document.createElement('h2');
    heading.id = 'document-panel-title';
    heading.tabIndex = -1;
    newTab = document.createElement('a');
    newTab.className = 'button small';
    newTab.target = '_blank';
    newTab.rel = 'noopener';
    newTab.textContent = 'New tab';
    newTab.setAttribute('aria-label', 'Open the PDF in a new tab');
    const closeButton = document.createElement('button');
    closeButton.type = 'button';
    closeButton.className = 'button small document-panel-close';
    closeButton.textContent = 'Close';
    closeButton.setAttribute('aria-label', 'Close the document');
    closeButton.addEventListener('click', close);
    const actions = document.createElement('span');
    actions.className = 'inline-controls';
    actions.append(newTab, closeButton);
    head.append(heading, actions);
    const body = document.createElement('div');
    body.className = 'document-panel-body';
    panel.append(head, body);
    panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        close();
      }
    });
    document.body.append(panel);
    viewer = createDocumentViewer(body, { label: 'Cited page' });
  }

  function open(button) {
    if (!panel) build();
    // A table row, or a row of the analyzer's question list (any element carrying data-question-id).
    const row = button.closest('tr, [data-question-id]') ?? table;
    const pages = [...row.querySelectorAll('button[data-cite-page]')].map((b) => ({
      page: Number(b.dataset.citePage),
      quote: b.dataset.citeQuote || null,
    }));
    const page = Number(button.dataset.citePage);
    const documentUrl = button.dataset.citeDocument;
    for (const b of table.querySelectorAll('button[data-cite-page][aria-pressed="true"]'))
      b.setAttribute('aria-pressed', 'false');
    button.setAttribute('aria-pressed', 'true');
    opener = button;
    heading.textContent = button.dataset.citeLabel ? `${button.dataset.citeLabel}: cited pages` : 'Cited pages';
    newTab.href = `${documentUrl}#page=${page}`;
    panel.hidden = false;
    document.body.classList.add('document-panel-open');
    heading.focus();
    return viewer.open({ documentUrl, page, quote: button.dataset.citeQuote || null, pages });
  }

  function close() {
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    document.body.classList.remove('document-panel-open');
    if (opener) opener.setAttribute('aria-pressed', 'false');
    // Back to the citation that opened the panel (unless the table was re-rendered meanwhile).
    if (opener && opener.isConnected) opener.focus();
    opener = null;
  }

  table.addEventListener('click', (event) => {
    const button = typeof event.target?.closest === 'function' ? event.target.closest('button[data-cite-page]') : null;
    if (!button || !table.contains(button)) return;
    event.preventDefault();
    void open(button);
  });

  return { open, close, isOpen: () => Boolean(panel && !panel.hidden) };
}
