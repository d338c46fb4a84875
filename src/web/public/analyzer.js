// The analyzer page's entry point: wire the modules (analyzer/*.js, one per concern) to the one store and
// draw the page from its state with a single render. See analyzer/state.js for what the state holds.
import { store } from './analyzer/store.js';
import { initUpload, renderUpload, uploadChosenFile } from './analyzer/upload.js';
import { initEstimate, renderEstimate, requestEstimate } from './analyzer/estimate.js';
import { initSetup, renderSetup } from './analyzer/setup.js';
import { renderProgress } from './analyzer/progress.js';
import { attachSession, followPass, initSession, renderSession } from './analyzer/session.js';
import { initRerun, renderRerun } from './analyzer/rerun.js';
import { initReviewQueue, renderReviewQueue } from './analyzer/review-queue.js';
import { initQuestionList, renderQuestionList } from './analyzer/question-list.js';
import { initKeyboard } from './analyzer/keyboard.js';
import { initViewer } from './analyzer/viewer-pane.js';

function render(state, prev) {
  renderUpload(state, prev);
  renderSetup(state, prev);
  renderEstimate(state, prev);
  renderSession(state, prev);
  renderProgress(state, prev);
  renderReviewQueue(state, prev);
  renderRerun(state, prev);
  renderQuestionList(state, prev);
}

initUpload({ uploaded: () => void requestEstimate() });
initEstimate({ documentGone: () => void uploadChosenFile() });
initSession();
initReviewQueue();
initRerun({ queued: (sessionId, reply) => followPass(sessionId, reply) });
// Before the list's own click handling: a citation click opens the viewer from the row as it is.
initViewer();
initQuestionList();
initKeyboard();
store.subscribe(render);

const sessionParam = new URLSearchParams(location.search).get('session');
if (sessionParam) attachSession(sessionParam);
void initSetup({
  started: (sessionId, status, pendingResult) => attachSession(sessionId, { status, pendingResult, push: true }),
});
