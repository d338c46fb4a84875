// The PDF viewer: one page at a time, rendered in the browser by pdf.js (pdfjs-dist, served by this app under
// /static/vendor/pdfjs/, loaded only when a viewer first opens a document), with pdf.js's text layer over the
// canvas and the cited quote highlighted on it.
//
// Contract (other modules build on it — keep it stable; details in ./README.md):
//
//   const viewer = createDocumentViewer(container, options?)
//     container  an element the viewer fills (toolbar, message line, scrollable page)
//     options    { pdfjsBase?: string   where pdfjs-dist is served (default '/static/vendor/pdfjs/'),
//                  onClose?: () => void  when given, a Close button (and Escape) calls it,
//                  label?: string        accessible name of the viewer region (default 'Document') }
//   await viewer.open({ documentUrl, page, quote, pages })
//     documentUrl  the PDF (e.g. '/api/document/<session id>'), fetched whole with the caller's cookie; the
//                  same URL opened again is not fetched again
//     page         1-based page to show first (default: the first of `pages`, else 1)
//     quote        the text to highlight on `page` (and on any page of `pages` that has no quote of its own)
//     pages        the answer's cited pages (and its variants'), stepped through by next()/prev(): numbers, or
//                  {page, quote?, label?} objects giving each page its own quote
//   await viewer.showPage(n)   any page of the document (highlights the quote given for it, if any)
//   await viewer.next() / prev()   the next / previous cited page
//   await viewer.zoomIn() / zoomOut() / fitWidth()
//   viewer.destroy()           frees pdf.js's worker and empties the container
//   viewer.element             the viewer's root element
//
// The root element carries its state for scripts and tests: data-viewer-state (idle|loading|ready|error),
// data-page, data-page-count, data-scale and data-quote-status: full | partial | none | no-text | no-quote.
// Highlights are <div data-quote-highlight> rectangles over the quote's characters in the text layer.
// No inline styles or scripts are written as HTML (strict CSP): positions are set through the CSSOM.
import { findQuote } from './quote-match.js';

export const DEFAULT_PDFJS_BASE = '/static/vendor/pdfjs/';
const ZOOM_STEP = 1.25;
const MIN_SCALE = 0.25;
const MAX_SCALE = 4;
// A page's canvas at high zoom on a high-density screen can reach hundreds of megapixels; above this the
// backing store is rendered at a lower density (the page stays its CSS size, a little softer).
const MAX_CANVAS_PIXELS = 16_000_000;
// Padding of the scroll area around the page: fit-width leaves this much room (px).
const FIT_MARGIN_PX = 24;
// A resize re-renders a fitted page once the size has stopped changing for this long (ms).
const RESIZE_SETTLE_MS = 150;

let pdfjsLoading = null;

/** pdf.js, imported on first use (one copy per page, whatever the number of viewers). */
function loadPdfjs(base) {
  if (!pdfjsLoading) {
    pdfjsLoading = import(`${base}build/pdf.min.mjs`).then((lib) => {
      lib.GlobalWorkerOptions.workerSrc = new URL(`${base}build/pdf.worker.min.mjs`, document.baseURI).href;
      return lib;
    });
    pdfjsLoading.catch(() => {
      pdfjsLoading = null; // a failed load (network) may be retried by the next open()
    });
  }
  return pdfjsLoading;
}

/** The viewer's stylesheet, linked once (pages may also link it themselves). */
function ensureStylesheet() {
  const href = new URL('./document-viewer.css', import.meta.url).href;
  if ([...document.querySelectorAll('link[rel="stylesheet"]')].some((l) => l.href === href)) return;
  document.head.append(make('link', null, { rel: 'stylesheet', href }));
}

function make(tag, className, attrs = {}, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(className, text, label) {
  return make('button', `button small ${className}`, { type: 'button', 'aria-label': label, title: label }, text);
}

/** pages option → sorted unique [{page, quote, label}] (quotes of a page given twice are joined). */
function normaliseSteps(pages, fallbackQuote) {
  const byPage = new Map();
  for (const entry of Array.isArray(pages) ? pages : []) {
    const step = typeof entry === 'object' && entry !== null ? entry : { page: entry };
    const page = Number(step.page);
    if (!Number.isInteger(page) || page < 1) continue;
    const prior = byPage.get(page);
    const quote = step.quote ?? null;
    if (!prior) byPage.set(page, { page, quote, label: step.label ?? null });
    else if (quote && prior.quote && !prior.quote.includes(quote)) prior.quote = `${prior.quote} \u2026 ${quote}`;
    else if (quote && !prior.quote) prior.quote = quote;
  }
  const steps = [...byPage.values()].sort((a, b) => a.page - b.page);
  for (const step of steps) if (!step.quote && fallbackQuote) step.quote = fallbackQuote;
  return steps;
}

async function readError(response) {
  try {
    const body = await response.json();
    if (body && typeof body.error === 'string') return body.error;
  } catch {
    // not JSON
  }
  return `HTTP ${response.status}`;
}

export function createDocumentViewer(container, options = {}) {
  const base = options.pdfjsBase || DEFAULT_PDFJS_BASE;
  ensureStylesheet();
  const root = make('section', 'document-viewer', {
    'aria-label': options.label || 'Document',
    'data-viewer-state': 'idle',
  });
  const toolbar = make('div', 'viewer-toolbar', { role: 'toolbar', 'aria-label': 'Document pages and zoom' });
  const prevButton = button('viewer-prev', '\u2039 Prev', 'Previous cited page');
  const nextButton = button('viewer-next', 'Next \u203A', 'Next cited page');
  const indicator = make('span', 'viewer-page-indicator', { 'aria-live': 'polite' });
  const zoomOutButton = button('viewer-zoom-out', '\u2212', 'Zoom out');
  const zoomInButton = button('viewer-zoom-in', '+', 'Zoom in');
  const fitButton = button('viewer-fit', 'Fit width', 'Fit the page to the width');
  const zoomLabel = make('span', 'viewer-zoom', { 'aria-live': 'polite' });
  const closeButton = options.onClose ? button('viewer-close', 'Close', 'Close the document') : null;
  const steps = make('span', 'viewer-steps');
  steps.append(prevButton, indicator, nextButton);
  const zoom = make('span', 'viewer-zoom-controls');
  zoom.append(zoomOutButton, zoomLabel, zoomInButton, fitButton);
  toolbar.append(steps, zoom);
  if (closeButton) toolbar.append(closeButton);
  const message = make('p', 'viewer-message', { role: 'status', 'aria-live': 'polite' });
  // Focusable so the keyboard can scroll a zoomed page.
  const scroller = make('div', 'viewer-scroll', { tabindex: '0', 'aria-label': 'Page' });
  const pageBox = make('div', 'viewer-page');
  scroller.append(pageBox);
  root.append(toolbar, message, scroller);
  container.replaceChildren(root);

  const state = {
    lib: null,
    loadingTask: null,
    pdf: null,
    url: null,
    steps: [],
    quote: null,
    page: 0,
    unscaledWidth: 0, // the shown page's width at scale 1 (CSS px)
    scale: null, // null = fit width
    renderTask: null,
    textLayer: null,
    generation: 0, // each open/showPage/zoom bumps it; stale renders stop at their next await
    destroyed: false,
  };

  function setMessage(text, kind = 'info') {
    message.textContent = text;
    message.dataset.kind = kind;
    message.hidden = !text;
  }

  function updateControls() {
    const count = state.pdf ? state.pdf.numPages : 0;
    const cited = state.steps.map((s) => s.page);
    const position = cited.indexOf(state.page);
    let text = count ? `Page ${state.page} of ${count}` : '';
    if (count && cited.length > 0)
      text += position >= 0 ? ` \u00B7 cited ${position + 1} of ${cited.length}` : ' \u00B7 not a cited page';
    indicator.textContent = text;
    prevButton.disabled = !state.pdf || !cited.some((p) => p < state.page);
    nextButton.disabled = !state.pdf || !cited.some((p) => p > state.page);
    zoomOutButton.disabled = !state.pdf || currentScale() <= MIN_SCALE + 1e-6;
    zoomInButton.disabled = !state.pdf || currentScale() >= MAX_SCALE - 1e-6;
    fitButton.disabled = !state.pdf;
    zoomLabel.textContent = state.pdf ? `${Math.round(currentScale() * 100)}%` : '';
    root.dataset.page = String(state.page || '');
    root.dataset.pageCount = String(count || '');
    root.dataset.scale = state.pdf ? currentScale().toFixed(3) : '';
  }

  let lastFitScale = 1;
  /** The scale at which a page this wide (at scale 1) fills the scroll area's width. */
  function fitScale(width) {
    const available = Math.max(100, scroller.clientWidth - 2 * FIT_MARGIN_PX);
    return Math.min(MAX_SCALE, Math.max(MIN_SCALE, available / (width || 1)));
  }
  function currentScale() {
    return state.scale ?? lastFitScale;
  }

  function cancelRender() {
    if (state.renderTask) state.renderTask.cancel();
    state.renderTask = null;
    if (state.textLayer) state.textLayer.cancel();
    state.textLayer = null;
  }

  async function closeDocument() {
    cancelRender();
    const task = state.loadingTask;
    state.loadingTask = null;
    state.pdf = null;
    state.url = null;
    if (task) await task.destroy().catch(() => {});
  }

  async function loadDocument(documentUrl, generation) {
    if (state.url === documentUrl && state.pdf) return true;
    await closeDocument();
    root.dataset.viewerState = 'loading';
    setMessage('Loading the document\u2026');
    const [lib, response] = await Promise.all([
      loadPdfjs(base),
      fetch(documentUrl, { credentials: 'same-origin', headers: { accept: 'application/pdf' } }),
    ]);
    if (generation !== state.generation) return false;
    if (!response.ok) {
      const reason = await readError(response);
      throw new Error(
        response.status === 401 ? 'Sign in again to see the document.' : `The document cannot be shown: ${reason}`,
      );
    }
    const data = new Uint8Array(await response.arrayBuffer());
    if (generation !== state.generation) return false;
    state.lib = lib;
    const absolute = (path) => new URL(`${base}${path}`, document.baseURI).href;
    // The whole file is already here: no range requests or streaming. No eval (strict CSP) and no
    // WebAssembly (it would need 'wasm-unsafe-eval'): pdf.js falls back to its JavaScript decoders.
    state.loadingTask = lib.getDocument({
      data,
      isEvalSupported: false,
      useWasm: false,
      wasmUrl: absolute('wasm/'),
      cMapUrl: absolute('cmaps/'),
      cMapPacked: true,
      standardFontDataUrl: absolute('standard_fonts/'),
      enableXfa: false,
      verbosity: 0,
    });
    const pdf = await state.loadingTask.promise;
    if (generation !== state.generation) return false;
    state.pdf = pdf;
    state.url = documentUrl;
    return true;
  }

  function stepFor(page) {
    return state.steps.find((s) => s.page === page) ?? null;
  }

  function drawHighlights(layer, textDivs, ranges) {
    const box = pageBox.getBoundingClientRect();
    let drawn = 0;
    const marked = new Set();
    for (const r of ranges) {
      const span = textDivs[r.item];
      if (!span) continue;
      marked.add(span);
      const node = span.firstChild;
      if (!node || !box.width || !box.height) continue;
      const length = node.textContent.length;
      const range = document.createRange();
      range.setStart(node, Math.min(r.start, length));
      range.setEnd(node, Math.min(r.end, length));
      for (const rect of range.getClientRects()) {
        if (rect.width < 0.5 || rect.height < 0.5) continue;
        const mark = make('div', 'quote-highlight', { 'data-quote-highlight': '' });
        mark.style.left = `${((rect.left - box.left) / box.width) * 100}%`;
        mark.style.top = `${((rect.top - box.top) / box.height) * 100}%`;
        mark.style.width = `${(rect.width / box.width) * 100}%`;
        mark.style.height = `${(rect.height / box.height) * 100}%`;
        layer.append(mark);
        drawn++;
      }
    }
    for (const span of marked) span.setAttribute('data-quote-span', '');
    // Laid out nowhere (the viewer is hidden): mark the whole spans instead, which CSS highlights too.
    if (drawn === 0) for (const span of marked) span.setAttribute('data-quote-highlight', '');
  }

  function scrollToHighlight() {
    const first = pageBox.querySelector('[data-quote-highlight]');
    if (!first) {
      scroller.scrollTop = 0;
      return;
    }
    const pageTop = pageBox.offsetTop;
    const target = pageTop + first.offsetTop - scroller.clientHeight / 3;
    scroller.scrollTop = Math.max(0, target);
    const left = pageBox.offsetLeft + first.offsetLeft - FIT_MARGIN_PX;
    scroller.scrollLeft = Math.max(0, Math.min(left, scroller.scrollWidth - scroller.clientWidth));
  }

  async function render(pageNumber, generation) {
    cancelRender();
    const page = await state.pdf.getPage(pageNumber);
    if (generation !== state.generation) return;
    const unscaled = page.getViewport({ scale: 1 });
    state.unscaledWidth = unscaled.width;
    lastFitScale = fitScale(unscaled.width);
    const scale = currentScale();
    const viewport = page.getViewport({ scale });
    const ratio = window.devicePixelRatio || 1;
    const density = Math.min(ratio, Math.sqrt(MAX_CANVAS_PIXELS / (viewport.width * viewport.height)));

    const canvas = make('canvas', 'viewer-canvas', { 'aria-hidden': 'true' });
    canvas.width = Math.floor(viewport.width * density);
    canvas.height = Math.floor(viewport.height * density);
    canvas.style.width = `${Math.floor(viewport.width)}px`;
    canvas.style.height = `${Math.floor(viewport.height)}px`;
    const highlights = make('div', 'viewer-highlights');
    const text = make('div', 'textLayer');
    const box = make('div', 'viewer-page-inner');
    box.style.width = `${Math.floor(viewport.width)}px`;
    box.style.height = `${Math.floor(viewport.height)}px`;
    // The CSS variables pdf.js's text layer sizes itself by (as its own viewer sets them on each page).
    box.style.setProperty('--scale-factor', String(scale));
    box.style.setProperty('--user-unit', String(viewport.userUnit || 1));
    box.style.setProperty('--total-scale-factor', String(scale * (viewport.userUnit || 1)));
    box.style.setProperty('--scale-round-x', '1px');
    box.style.setProperty('--scale-round-y', '1px');
    box.append(canvas, highlights, text);

    const renderTask = page.render({
      canvas,
      canvasContext: canvas.getContext('2d'),
      viewport,
      transform: density !== 1 ? [density, 0, 0, density, 0, 0] : null,
    });
    state.renderTask = renderTask;
    // Cancelled by a newer render while this one still waits for its text: handled below, never "uncaught".
    renderTask.promise.catch(() => {});
    const textContent = await page.getTextContent();
    if (generation !== state.generation) return;
    const textLayer = new state.lib.TextLayer({ textContentSource: textContent, container: text, viewport });
    state.textLayer = textLayer;
    try {
      await Promise.all([renderTask.promise, textLayer.render()]);
    } catch (err) {
      if (err && (err.name === 'RenderingCancelledException' || err.name === 'AbortException')) return;
      throw err;
    }
    if (generation !== state.generation) return;
    state.renderTask = null;
    state.textLayer = null;
    pageBox.replaceChildren(box);
    page.cleanup();

    const step = stepFor(pageNumber);
    const quote = step ? step.quote : null;
    const items = textLayer.textContentItemsStr;
    const hasText = items.some((s) => s.trim() !== '');
    let status;
    if (!quote) status = 'no-quote';
    else if (!hasText) status = 'no-text';
    else {
      const found = findQuote(items, quote);
      status = found.status;
      if (found.ranges.length) drawHighlights(highlights, textLayer.textDivs, found.ranges);
    }
    root.dataset.quoteStatus = status;
    if (status === 'full') setMessage('The quote is highlighted on this page.', 'ok');
    else if (status === 'partial')
      setMessage(
        'Part of the quote is highlighted on this page; the rest is not in its text (another page, or different wording).',
        'warn',
      );
    else if (status === 'none')
      setMessage(
        'The quote was not found on this page\u2019s text. Read the page itself: the wording may differ, or the text may be in an image.',
        'warn',
      );
    else if (status === 'no-text')
      setMessage(
        'This page has no text layer (a scanned image), so the quote cannot be highlighted: the page is shown alone.',
        'warn',
      );
    else setMessage(state.steps.length && !step ? 'This page is not one the answer cites.' : '', 'info');
    root.dataset.viewerState = 'ready';
    updateControls();
    scrollToHighlight();
  }

  async function go(pageNumber) {
    if (!state.pdf || state.destroyed) return;
    const generation = ++state.generation;
    const page = Math.min(Math.max(1, Math.trunc(Number(pageNumber)) || 1), state.pdf.numPages);
    state.page = page;
    // Until this page is drawn, nothing on the root describes it (scripts wait for "ready" with this page).
    root.dataset.viewerState = 'loading';
    delete root.dataset.quoteStatus;
    updateControls();
    try {
      await render(page, generation);
    } catch (err) {
      if (generation !== state.generation) return;
      fail(err);
    }
  }

  function fail(err) {
    root.dataset.viewerState = 'error';
    setMessage(err instanceof Error ? err.message : String(err), 'error');
    updateControls();
  }

  async function open({ documentUrl, page, quote, pages } = {}) {
    if (state.destroyed) throw new Error('the viewer was destroyed');
    if (!documentUrl) throw new Error('open() needs a documentUrl');
    const generation = ++state.generation;
    root.dataset.viewerState = 'loading';
    delete root.dataset.quoteStatus;
    state.quote = quote ?? null;
    state.steps = normaliseSteps(pages, state.quote);
    const first = Number(page) || state.steps[0]?.page || 1;
    if (state.quote && !stepFor(first))
      state.steps = normaliseSteps([...state.steps, { page: first, quote: state.quote }], null);
    try {
      if (!(await loadDocument(documentUrl, generation))) return;
    } catch (err) {
      if (generation === state.generation) fail(err);
      return;
    }
    if (generation !== state.generation) return;
    await go(first);
  }

  function step(direction) {
    const cited = state.steps.map((s) => s.page);
    const target = direction > 0 ? cited.find((p) => p > state.page) : [...cited].reverse().find((p) => p < state.page);
    return target === undefined ? Promise.resolve() : go(target);
  }

  function rescale(scale) {
    if (!state.pdf) return Promise.resolve();
    state.scale = scale === null ? null : Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
    return go(state.page);
  }

  prevButton.addEventListener('click', () => void step(-1));
  nextButton.addEventListener('click', () => void step(1));
  zoomInButton.addEventListener('click', () => void rescale(currentScale() * ZOOM_STEP));
  zoomOutButton.addEventListener('click', () => void rescale(currentScale() / ZOOM_STEP));
  fitButton.addEventListener('click', () => void rescale(null));
  if (closeButton) closeButton.addEventListener('click', () => options.onClose());
  root.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (typeof event.target?.closest === 'function' && event.target.closest('input, textarea, select')) return;
    let handled = true;
    if (event.key === '+' || event.key === '=') void rescale(currentScale() * ZOOM_STEP);
    else if (event.key === '-') void rescale(currentScale() / ZOOM_STEP);
    else if (event.key === 'Escape' && options.onClose) options.onClose();
    else handled = false;
    if (handled) {
      event.preventDefault();
      event.stopPropagation(); // the page's own shortcuts must not also act on these keys
    }
  });
  // Fit-width follows the container: a rotated phone, a resized window, a panel shown after it was hidden.
  let resizeTimer = null;
  const resizeObserver = window.ResizeObserver
    ? new window.ResizeObserver(() => {
        if (resizeTimer) clearTimeout(resizeTimer);
        resizeTimer = setTimeout(() => {
          resizeTimer = null;
          // Not while hidden (a closed panel has no width) nor while a page is being drawn.
          if (!state.pdf || state.scale !== null || root.dataset.viewerState !== 'ready' || scroller.clientWidth === 0)
            return;
          if (Math.abs(fitScale(state.unscaledWidth) - lastFitScale) > lastFitScale * 0.02) void go(state.page);
        }, RESIZE_SETTLE_MS);
      })
    : null;
  resizeObserver?.observe(scroller);
  setMessage('');
  updateControls();

  return {
    element: root,
    open,
    showPage: (n) => go(n),
    next: () => step(1),
    prev: () => step(-1),
    zoomIn: () => rescale(currentScale() * ZOOM_STEP),
    zoomOut: () => rescale(currentScale() / ZOOM_STEP),
    fitWidth: () => rescale(null),
    destroy() {
      state.destroyed = true;
      resizeObserver?.disconnect();
      if (resizeTimer) clearTimeout(resizeTimer);
      state.generation++;
      void closeDocument();
      root.remove();
    },
  };
}
