// The admin dashboard: one page with a view per step (loading, the sign-in
// steps of account.js, not allowed, dashboard). The API decides who may see
// what: a 401 anywhere sends the page back to sign-in, a 403 shows the "not
// allowed" view.

import {ApiError, createApi} from '../api.js';
import {currentSession, forgetSession, signOut} from '../auth.js';
import {loadConfig} from '../config.js';
import {$, useTimeZone} from '../dom.js';
import {AccountFlow} from './account.js';
import {AuditPanel} from './audit.js';
import {FormsPanel} from './forms.js';
import {MessagesPanel} from './messages.js';
import {PersonPanel} from './person.js';
import {renderStats, showStatsUnavailable} from './stats.js';
import {UsersPanel} from './users.js';

const VIEWS = ['loading', 'signin', 'newpassword', 'totp', 'mfasetup', 'forgot', 'forbidden', 'dashboard'];
const SIGNED_IN_VIEWS = ['dashboard', 'forbidden', 'mfasetup'];
const ADMIN_GROUP = 'admin';

function show(view) {
  for (const name of VIEWS) $(`#view-${name}`).hidden = name !== view;
  document.body.dataset.view = view;
  const session = currentSession();
  $('#whoami').hidden = !session || !SIGNED_IN_VIEWS.includes(view);
  $('#whoami-email').textContent = session?.email ?? '';
  if (view !== 'dashboard') $('#stats').hidden = true;
}

/** Back to the sign-in form; the session in this tab, if any, is forgotten. */
function showSignIn(notice = '') {
  forgetSession();
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
  useTimeZone(config.timeZone);
  const api = createApi(config, {
    onUnauthorized: () => showSignIn('Your session has ended. Please sign in again.'),
  });
  const refreshStats = () => renderStats(api).catch((error) => handleError(error, showStatsUnavailable));
  const hooks = {onError: handleError, onChanged: refreshStats};
  const messages = new MessagesPanel(api, hooks, {spamRetentionDays: config.spamRetentionDays});
  const users = new UsersPanel(api, hooks);
  const forms = new FormsPanel(api, config, {...hooks, onFormsChanged: () => messages.formsChanged()});
  const audit = new AuditPanel(api, hooks);
  const person = new PersonPanel(api, hooks);
  const panels = {messages, forms, users, audit};
  const PERSON = 'person/';

  function showTab() {
    const hash = location.hash.slice(1);
    // #person/<address>: a person's data, reached from a message's sender; no tab of its own.
    let address = null;
    if (hash.startsWith(PERSON)) {
      try {
        address = decodeURIComponent(hash.slice(PERSON.length));
      } catch {
        address = null;
      }
    }
    $('#panel-person').hidden = !address;
    const tab = address ? null : (Object.hasOwn(panels, hash) ? hash : 'messages');
    for (const name of Object.keys(panels)) {
      $(`#panel-${name}`).hidden = name !== tab;
      // aria-current="" reads as false: set "true" or remove it.
      if (name === tab) $(`#tab-${name}`).setAttribute('aria-current', 'true');
      else $(`#tab-${name}`).removeAttribute('aria-current');
    }
    if (address) return person.open(address);
    const loaded = panels[tab].load();
    // The owner's mail links a message with attachments: admin.html?message=<id>#messages.
    const linked = new URLSearchParams(location.search).get('message');
    if (tab === 'messages' && linked && !openedLink) {
      openedLink = true;
      return Promise.resolve(loaded).then(() => messages.open(linked));
    }
    return loaded;
  }
  let openedLink = false;

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
    account.refreshMfaState();
    await showTab();
  }

  window.addEventListener('hashchange', () => {
    if (document.body.dataset.view === 'dashboard') showTab();
  });

  const account = new AccountFlow(config, {show, onSignedIn: openDashboard, showSignIn});

  for (const id of ['#sign-out', '#forbidden-sign-out']) {
    $(id).addEventListener('click', async () => {
      const revoked = await signOut(config);
      showSignIn(revoked ? '' : 'Signed out here, but the sign-in service could not be told: '
        + 'the session may go on elsewhere until it expires.');
    });
  }

  if (currentSession()) await openDashboard();
  else showSignIn();
}

main();
