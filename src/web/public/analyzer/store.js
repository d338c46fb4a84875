/* global queueMicrotask */
// The analyzer page's one state store. State is replaced, never mutated: a slice that did not change keeps its
// identity, so each view can skip work with `state.x === prev.x`. Updates made in the same task are rendered
// once (a microtask later), by the single `render(state, prev)` the entry point subscribes.
import { initialState } from './state.js';

function createStore(initial) {
  let state = initial;
  let rendered = initial;
  let scheduled = false;
  let render = null;

  function flush() {
    scheduled = false;
    if (!render || state === rendered) return;
    const prev = rendered;
    rendered = state;
    render(state, prev);
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(flush);
  }

  return {
    get: () => state,
    /** Merge `patch` (an object, or a function of the slice returning one) into the named slice. */
    update(slice, patch) {
      const current = state[slice];
      const next = typeof patch === 'function' ? patch(current, state) : patch;
      if (!next) return;
      state = { ...state, [slice]: { ...current, ...next } };
      schedule();
    },
    /** Replace the whole state through a function (for changes spanning slices). */
    replace(fn) {
      const next = fn(state);
      if (next === state) return;
      state = next;
      schedule();
    },
    subscribe(fn) {
      render = fn;
      render(state, null);
      rendered = state;
    },
    /** Render now (e.g. before measuring the DOM). */
    flush,
  };
}

export const store = createStore(initialState());
