/* global XMLHttpRequest, DOMException */
// Every request the pages make goes through here, so auth (a 401 → login redirect) and error shapes are
// handled in one place. Errors from the API are `{success:false, error, code, details?}`.

export class ApiError extends Error {
  constructor(
    message,
    { status = 0, code = 'NETWORK_ERROR', details = null, retryAfterSeconds = null, body = null } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    // From Retry-After on a momentary refusal (503 SERVER_BUSY): when trying again makes sense.
    this.retryAfterSeconds = retryAfterSeconds;
    // The whole error reply: some carry more than the message (409 REVIEW_CONFLICT carries the current question).
    this.body = body;
  }
}

// Where a 401 sends the user once auth exists; the current page comes back after login.
const LOGIN_PATH = '/login';

function redirectToLogin() {
  const next = location.pathname + location.search;
  location.assign(`${LOGIN_PATH}?next=${encodeURIComponent(next)}`);
}

/**
 * fetch + JSON + error mapping. `body` may be a plain object (sent as JSON) or FormData (sent as multipart).
 * Resolves with the parsed JSON of a 2xx reply; rejects with ApiError otherwise.
 */
export async function requestJson(path, { method = 'GET', body, signal } = {}) {
  const init = { method, signal, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError('Could not reach the server. Check your connection and try again.');
  }
  if (response.status === 401) {
    redirectToLogin();
    throw new ApiError('Please sign in.', { status: 401, code: 'UNAUTHORIZED' });
  }
  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  if (!response.ok || !json || json.success === false) {
    const message = (json && json.error) || `Request failed (HTTP ${response.status}).`;
    throw new ApiError(message, {
      status: response.status,
      code: (json && json.code) || `HTTP_${response.status}`,
      details: (json && json.details) || null,
      body: json,
    });
  }
  return json;
}

/**
 * Upload one file as multipart field `file` with XMLHttpRequest, because fetch reports no upload progress.
 * `onProgress(loaded, total)` is called as bytes leave the browser. Resolves with the parsed JSON of a 2xx
 * reply; rejects with ApiError (or an AbortError when `signal` aborts), exactly like requestJson.
 */
export function uploadFile(path, file, { onProgress, signal } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.responseType = 'text';
    if (onProgress)
      xhr.upload.addEventListener('progress', (event) =>
        onProgress(event.loaded, event.lengthComputable ? event.total : file.size),
      );
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    xhr.addEventListener('abort', () => {
      done();
      reject(new DOMException('The upload was cancelled.', 'AbortError'));
    });
    xhr.addEventListener('error', () => {
      done();
      reject(new ApiError('Could not reach the server. Check your connection and try again.'));
    });
    xhr.addEventListener('load', () => {
      done();
      if (xhr.status === 401) {
        redirectToLogin();
        reject(new ApiError('Please sign in.', { status: 401, code: 'UNAUTHORIZED' }));
        return;
      }
      let json = null;
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        json = null;
      }
      if (xhr.status < 200 || xhr.status >= 300 || !json || json.success === false) {
        const retryAfter = Number(xhr.getResponseHeader('retry-after'));
        reject(
          new ApiError((json && json.error) || `Upload failed (HTTP ${xhr.status}).`, {
            status: xhr.status,
            code: (json && json.code) || `HTTP_${xhr.status}`,
            details: (json && json.details) || null,
            retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
          }),
        );
        return;
      }
      resolve(json);
    });
    const data = new FormData();
    data.append('file', file, file.name);
    xhr.send(data);
  });
}

/** URLs the pages link to (downloads, the stored PDF, the event stream): built here so paths live in one file. */
export const urls = {
  progress: (id) => `/api/progress/${encodeURIComponent(id)}`,
  exportFile: (id, format) => `/api/export/${encodeURIComponent(id)}?format=${encodeURIComponent(format)}`,
  document: (id) => `/api/document/${encodeURIComponent(id)}`,
  documentPage: (id, page) => `/api/document/${encodeURIComponent(id)}#page=${page}`,
  review: (id, questionId) => `/api/review/${encodeURIComponent(id)}/${encodeURIComponent(questionId)}`,
  reviewHistory: (id, questionId) => `/api/review/${encodeURIComponent(id)}/${encodeURIComponent(questionId)}/history`,
  analyzerSession: (id) => `/analyzer?session=${encodeURIComponent(id)}`,
  adminSession: (id) => `/admin?session=${encodeURIComponent(id)}`,
};

export const EXPORT_FORMATS = [
  { format: 'xlsx', label: 'Excel' },
  { format: 'csv', label: 'CSV' },
  { format: 'json', label: 'JSON' },
  { format: 'md', label: 'Markdown' },
  { format: 'docx', label: 'Word' },
];
