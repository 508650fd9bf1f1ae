// The admin dashboard: one page with four views (loading, sign-in, not
// allowed, dashboard). The API decides who may see what: a 401 anywhere
// sends the page back to sign-in, a 403 shows the "not allowed" view.

import {ApiError, createApi} from '../api.js';
import {AuthError, currentSession, signIn, signOut} from '../auth.js';
import {loadConfig} from '../config.js';
import {$} from '../dom.js';
import {MessagesPanel} from './messages.js';
import {renderStats, showStatsUnavailable} from './stats.js';
import {UsersPanel} from './users.js';

const VIEWS = ['loading', 'signin', 'forbidden', 'dashboard'];
const ADMIN_GROUP = 'admin';

function show(view) {
  for (const name of VIEWS) $(`#view-${name}`).hidden = name !== view;
  document.body.dataset.view = view;
  const session = currentSession();
  $('#whoami').hidden = !session || view === 'signin';
  $('#whoami-email').textContent = session?.email ?? '';
  if (view !== 'dashboard') $('#stats').hidden = true;
}

function showSignIn(notice = '') {
  signOut();
  const box = $('#signin-notice');
  box.textContent = notice;
  box.hidden = !notice;
  $('#signin-error').hidden = true;
  show('signin');
  $('#signin-email').focus();
}

function showForbidden() {
  $('#forbidden-email').textContent = currentSession()?.email ?? 'this account';
  show('forbidden');
}

/** What every panel does with an error it cannot place itself. */
function handleError(error, showInPanel) {
  if (error instanceof ApiError && error.status === 401) return;  // onUnauthorized already ran
  if (error instanceof ApiError && error.status === 403) {
    showForbidden();
    return;
  }
  const reference = error instanceof ApiError && error.requestId ? ` (reference ${error.requestId})` : '';
  showInPanel(`${error.message}${reference}`);
}

async function main() {
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    $('#view-loading').textContent = `This site is not configured: ${error.message}`;
    return;
  }
  const api = createApi(config, {
    onUnauthorized: () => showSignIn('Your session has ended. Please sign in again.'),
  });
  const refreshStats = () => renderStats(api).catch((error) => handleError(error, showStatsUnavailable));
  const hooks = {onError: handleError, onChanged: refreshStats};
  const messages = new MessagesPanel(api, hooks);
  const users = new UsersPanel(api, hooks);

  function showTab() {
    const tab = location.hash === '#users' ? 'users' : 'messages';
    $('#panel-messages').hidden = tab !== 'messages';
    $('#panel-users').hidden = tab !== 'users';
    for (const name of ['messages', 'users']) {
      $(`#tab-${name}`).toggleAttribute('aria-current', name === tab);
    }
    return tab === 'users' ? users.load() : messages.load();
  }

  async function openDashboard() {
    show('loading');
    let me;
    try {
      // The API's own view of this account (its verified groups) decides the
      // first screen; every admin route still answers 403 to anyone else.
      ({data: me} = await api.get('/me'));
    } catch (error) {
      handleError(error, (message) => { $('#view-loading').textContent = message; });
      return;
    }
    if (!(me?.groups ?? []).includes(ADMIN_GROUP)) {
      showForbidden();
      return;
    }
    show('dashboard');
    refreshStats();
    await showTab();
  }

  window.addEventListener('hashchange', () => {
    if (document.body.dataset.view === 'dashboard') showTab();
  });

  $('#signin-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = $('#signin-submit');
    const errorBox = $('#signin-error');
    errorBox.hidden = true;
    const email = $('#signin-email').value.trim();
    const password = $('#signin-password').value;
    if (!email || !password) {
      errorBox.textContent = 'Enter your email and password.';
      errorBox.hidden = false;
      return;
    }
    button.disabled = true;
    try {
      await signIn(config, email, password);
      $('#signin-password').value = '';
      $('#signin-notice').hidden = true;
      await openDashboard();
    } catch (error) {
      errorBox.textContent = error instanceof AuthError ? error.message : 'Signing in failed. Try again.';
      errorBox.hidden = false;
    } finally {
      button.disabled = false;
    }
  });

  for (const id of ['#sign-out', '#forbidden-sign-out']) {
    $(id).addEventListener('click', () => showSignIn());
  }

  if (currentSession()) await openDashboard();
  else showSignIn();
}

main();
