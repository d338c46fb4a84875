// Small DOM helpers. Everything user-provided becomes text (textContent), never HTML.

/**
 * el('p', {className: 'x', text: 'hi', attrs: {id: 'a'}}, [children])
 * Children may be nodes, strings (become text nodes) or null/false (skipped).
 */
export function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined && options.text !== null) node.textContent = String(options.text);
  if (options.attrs) {
    for (const [name, value] of Object.entries(options.attrs)) {
      if (value === false || value === null || value === undefined) continue;
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  appendChildren(node, children);
  return node;
}

export function appendChildren(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing element #${id}`);
  return node;
}

/** Show a message in an error slot (or hide it when message is empty). */
export function showError(node, message) {
  node.replaceChildren();
  if (message) {
    node.textContent = message;
    node.hidden = false;
  } else {
    node.hidden = true;
  }
}

export function debounce(fn, waitMs) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...args);
    }, waitMs);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(Number(seconds))) return '—';
  const s = Number(seconds);
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s % 60);
  if (m < 60) return `${m} min ${rest} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatCost(value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string' && value.startsWith('$')) return value;
  const n = Number(value);
  if (Number.isNaN(n)) return String(value);
  return `$${n.toFixed(n >= 1 ? 2 : 4)}`;
}

export function formatNumber(value) {
  if (value === null || value === undefined || value === '') return '—';
  const n = Number(value);
  return Number.isNaN(n) ? String(value) : n.toLocaleString('en-US');
}

export function formatDate(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  // ISO-like and unambiguous for an international team; local time zone.
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '';
}

/** A <dl> body from [label, value] pairs. */
export function fillDefinitionList(dl, pairs) {
  dl.replaceChildren();
  for (const [label, value] of pairs) {
    const wrap = el('div', { className: 'stat' }, [el('dt', { text: label }), el('dd', { text: value })]);
    dl.append(wrap);
  }
}

export const STATUS_LABELS = {
  queued: 'Queued',
  active: 'Active',
  completed: 'Complete',
  partial: 'Partial',
  failed: 'Failed',
};

export function statusBadge(status) {
  return el('span', { className: `badge status-${status}`, text: STATUS_LABELS[status] || status || 'Unknown' });
}

export function isRunning(status) {
  return status === 'queued' || status === 'active';
}
