/* global Element */
// Keyboard review: j/k next/previous, a accept, e edit, r reject, o open the page, ? help. Keys are ignored
// while typing (inputs, text areas, selects, editable text), with Ctrl/Alt/Meta held, and before a result is
// on screen.
import { byId } from '../dom.js';
import { store } from './store.js';
import { currentQuestion, moveCursor, reviewAndAdvance, startEditing } from './review-actions.js';
import { noteFor } from './question-list.js';
import { openPage } from './viewer-pane.js';

const ui = { help: byId('help-dialog'), helpButton: byId('help-button') };

function typingIn(target) {
  if (!(target instanceof Element)) return false;
  if (target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]')) return true;
  return false;
}

/** A question the reviewer can act on: not one a running analysis has yet to reach. */
function reviewableQuestion(q, state) {
  if (!q) return false;
  return !(state.results.running && (q.answer === null || q.answer === undefined) && q.answer_status !== 'not_found');
}

function reviewable(state) {
  return Boolean(state.run.sessionId && state.results.result && state.setup.view === 'session');
}

export function showHelp(open) {
  if (open && !ui.help.open) ui.help.showModal();
  else if (!open && ui.help.open) ui.help.close();
}

function onKey(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (typingIn(event.target)) return;
  if (ui.help.open) return; // the dialog handles Escape itself
  const state = store.get();
  if (event.key === '?') {
    event.preventDefault();
    showHelp(true);
    return;
  }
  if (!reviewable(state)) return;
  const q = currentQuestion(state);
  switch (event.key) {
    case 'j':
      moveCursor(1);
      break;
    case 'k':
      moveCursor(-1);
      break;
    case 'a':
      if (!reviewableQuestion(q, state)) return;
      reviewAndAdvance('accept', noteFor(q.question_id));
      break;
    case 'r':
      if (!reviewableQuestion(q, state)) return;
      reviewAndAdvance('reject', noteFor(q.question_id));
      break;
    case 'e':
      if (!reviewableQuestion(q, state)) return;
      startEditing(q.question_id);
      break;
    case 'o': {
      const pages = (q && q.page_citations) || [];
      if (!pages.length) return;
      openPage(q.question_id, pages[0]);
      break;
    }
    default:
      return;
  }
  event.preventDefault();
}

export function initKeyboard() {
  document.addEventListener('keydown', onKey);
  ui.helpButton.addEventListener('click', () => showHelp(true));
}
