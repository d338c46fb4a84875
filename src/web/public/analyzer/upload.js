/* global AbortController */
// Choosing the PDF: refuse what is not a PDF at the picker, upload the chosen file once (POST /api/documents,
// with a progress bar for the bytes and a "reading the PDF" step for the server's parse), then show what the
// parse found (pages, pages read by OCR). Estimates and the run refer to the upload by its document_id.
import { uploadFile } from '../api.js';
import { byId, fillDefinitionList, formatNumber } from '../dom.js';
import { store } from './store.js';

// A busy server says when to come back (Retry-After); try that many times before showing the error.
const UPLOAD_BUSY_RETRIES = 3;

const ui = {
  dropZone: byId('drop-zone'),
  input: byId('pdf-input'),
  chosen: byId('pdf-chosen'),
  error: byId('pdf-error'),
  progress: byId('upload-progress'),
  fill: byId('upload-fill'),
  status: byId('upload-status'),
  parse: byId('upload-parse'),
};

let uploadAbort = null;
let onUploaded = () => {};

/** A PDF by its type or, when the browser gives none (some systems), by its extension. */
export function looksLikePdf(file) {
  if (!file) return false;
  if (file.type === 'application/pdf' || file.type === 'application/x-pdf') return true;
  return /\.pdf$/i.test(file.name || '');
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function chooseFile(file) {
  if (uploadAbort) uploadAbort.abort();
  uploadAbort = null;
  // An estimate belongs to the document it was made for.
  store.update('estimate', { status: 'idle', key: '', data: null, error: '' });
  if (file && !looksLikePdf(file)) {
    // Refused here, before any byte is sent: the picker's accept= is only a hint (drag and drop, "All files").
    ui.input.value = '';
    store.update('setup', {
      file: null,
      document: null,
      uploadStatus: 'idle',
      startError: '',
      fileError: `“${file.name}” is not a PDF. Choose a PDF file (.pdf).`,
    });
    return;
  }
  store.update('setup', {
    file: file || null,
    document: null,
    fileError: '',
    startError: '',
    uploadStatus: 'idle',
    uploadMessage: '',
  });
  void uploadChosenFile();
}

/** Upload the chosen file (again, e.g. when the stored upload expired). */
export async function uploadChosenFile() {
  if (uploadAbort) uploadAbort.abort();
  const file = store.get().setup.file;
  if (!file) return;
  const controller = new AbortController();
  uploadAbort = controller;
  store.update('setup', {
    document: null,
    uploadStatus: 'uploading',
    uploadLoaded: 0,
    uploadTotal: file.size,
    uploadMessage: '',
  });
  for (let attempt = 0; ; attempt++) {
    try {
      const reply = await uploadFile('/api/documents', file, {
        signal: controller.signal,
        onProgress: (loaded, total) => {
          if (store.get().setup.file !== file) return;
          // Every byte sent: the server is now reading the PDF (text layer, OCR for scanned pages).
          store.update('setup', {
            uploadStatus: loaded >= total ? 'parsing' : 'uploading',
            uploadLoaded: loaded,
            uploadTotal: total,
          });
        },
      });
      if (store.get().setup.file !== file) return;
      store.update('setup', { document: reply, uploadStatus: 'ready', fileError: '' });
      break;
    } catch (err) {
      if (store.get().setup.file !== file || (err && err.name === 'AbortError')) return;
      if (err.code === 'SERVER_BUSY' && attempt < UPLOAD_BUSY_RETRIES) {
        const wait = err.retryAfterSeconds || 5;
        store.update('setup', {
          uploadStatus: 'retrying',
          uploadMessage: `The server is busy; trying again in ${wait} s…`,
        });
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
        if (store.get().setup.file !== file) return;
        continue;
      }
      store.update('setup', { uploadStatus: 'error', fileError: err.message });
      break;
    }
  }
  if (uploadAbort === controller) uploadAbort = null;
  onUploaded();
}

export function initUpload({ uploaded }) {
  onUploaded = uploaded;
  ui.input.addEventListener('change', () => chooseFile(ui.input.files && ui.input.files[0]));
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
    if (looksLikePdf(files[0])) {
      try {
        ui.input.files = files; // keep the input in sync so keyboard users see the same choice
      } catch {
        /* some browsers refuse; the state's file is what is sent */
      }
    }
    chooseFile(files[0]);
  });
}

function showProgress(percent, text) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  ui.progress.hidden = false;
  ui.fill.style.width = `${value}%`;
  ui.progress.setAttribute('aria-valuenow', String(value));
  ui.status.textContent = text;
}

export function renderUpload(state, prev) {
  const s = state.setup;
  if (
    prev &&
    s.file === prev.setup.file &&
    s.fileError === prev.setup.fileError &&
    s.uploadStatus === prev.setup.uploadStatus &&
    s.uploadLoaded === prev.setup.uploadLoaded &&
    s.document === prev.setup.document &&
    s.uploadMessage === prev.setup.uploadMessage
  )
    return;
  const file = s.file;
  ui.chosen.textContent = file ? `Selected: ${file.name} (${formatBytes(file.size)})` : '';
  ui.dropZone.classList.toggle('has-file', Boolean(file));
  ui.error.textContent = s.fileError;
  ui.error.hidden = !s.fileError;
  ui.progress.classList.toggle('parsing', s.uploadStatus === 'parsing');
  ui.parse.hidden = true;
  switch (s.uploadStatus) {
    case 'uploading': {
      const pct = s.uploadTotal > 0 ? (s.uploadLoaded / s.uploadTotal) * 100 : 0;
      showProgress(pct, `Uploading ${file.name}: ${formatBytes(s.uploadLoaded)} of ${formatBytes(s.uploadTotal)}`);
      break;
    }
    case 'parsing':
      showProgress(100, 'Uploaded; reading the PDF (text layer, OCR for scanned pages)…');
      break;
    case 'retrying':
      showProgress(0, s.uploadMessage);
      break;
    case 'ready': {
      const d = s.document;
      const ocr = d.ocr_pages > 0 ? `, ${formatNumber(d.ocr_pages)} to be read by OCR` : '';
      showProgress(100, `Ready: ${formatNumber(d.total_pages)} pages${ocr}.`);
      fillDefinitionList(ui.parse, [
        ['Pages', formatNumber(d.total_pages)],
        ['Read by OCR', d.ocr_pages > 0 ? `${formatNumber(d.ocr_pages)} (scanned)` : 'none (every page has text)'],
      ]);
      ui.parse.hidden = false;
      break;
    }
    default:
      ui.progress.hidden = true;
      ui.status.textContent = '';
  }
}
