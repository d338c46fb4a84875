// Sign-in page: posts the credentials as JSON (same origin, so the CSRF check passes), then returns to the page
// that sent the user here (only a path on this site: next-path.js). The session lives in an httpOnly cookie the
// script never sees, and the reply carries no token (it does only for scripts that ask with return_token).
import { safeNextPath } from './next-path.js';

const form = document.getElementById('login-form');
const errorBox = document.getElementById('login-error');
const submit = document.getElementById('login-submit');
const signedIn = document.getElementById('signed-in');
const logout = document.getElementById('logout');

function nextPath() {
  return safeNextPath(new URLSearchParams(location.search).get('next'), location.origin);
}

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  return { ok: response.ok && json && json.success !== false, json, status: response.status };
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  errorBox.textContent = '';
  const email = form.email.value.trim();
  const password = form.password.value;
  if (!email || !password) {
    errorBox.textContent = 'Enter your email and password.';
    return;
  }
  submit.disabled = true;
  try {
    const r = await post('/api/authenticate', { email, password });
    if (r.ok) {
      location.assign(nextPath());
      return;
    }
    errorBox.textContent = (r.json && r.json.error) || `Sign-in failed (HTTP ${r.status}).`;
  } catch {
    errorBox.textContent = 'Could not reach the server. Check your connection and try again.';
  } finally {
    submit.disabled = false;
  }
});

logout.addEventListener('click', async () => {
  await post('/api/logout');
  location.reload();
});

// Already signed in? Say so and offer to sign out.
post('/api/verify-session').then((r) => {
  if (r.ok && r.json.user) {
    signedIn.textContent = `Signed in as ${r.json.user.email} (${r.json.user.role}).`;
    signedIn.hidden = false;
    logout.hidden = r.json.auth === 'off';
  }
});
