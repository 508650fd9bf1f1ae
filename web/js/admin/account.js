// The steps between "who are you?" and the dashboard: sign in, choose a first
// password, the authenticator-app code, setting the app up, and a forgotten
// password. Each step is a view of admin.html; `show(view)` switches to it and
// `onSignedIn()` runs once a session exists.

import {
  AuthError, answerTotp, authenticatorOn, confirmForgotPassword, currentSession, forgotPassword,
  setNewPassword, signIn, startTotpSetup, totpUri,
} from '../auth.js';
import {$, el, replace} from '../dom.js';
import qrcode from '../vendor/qrcode-generator-2.0.4.mjs';

/** The pool's password rules (config.passwordPolicy, Cognito's PasswordPolicy shape), in words. */
export function passwordRules(policy) {
  if (!policy) return [];
  const rules = [`at least ${policy.MinimumLength ?? 8} characters`];
  if (policy.RequireLowercase) rules.push('a lowercase letter');
  if (policy.RequireUppercase) rules.push('an uppercase letter');
  if (policy.RequireNumbers) rules.push('a number');
  if (policy.RequireSymbols) rules.push('a symbol, such as ! # % or ?');
  return rules;
}

function showError(id, error) {
  const box = $(`#${id}`);
  const message = error instanceof AuthError ? error.message : (error ? 'Something went wrong. Try again.' : '');
  box.textContent = message;
  box.hidden = !message;
  // The field the message belongs to is the one that names the box in aria-describedby.
  const field = document.querySelector(`[aria-describedby~="${id}"]`);
  if (field) {
    if (message) field.setAttribute('aria-invalid', 'true');
    else field.removeAttribute('aria-invalid');
  }
}

/**
 * Run `action` with the form's submit button disabled; errors go to `errorId`,
 * or to `onExpired` when Cognito no longer knows the sign-in this step belongs to.
 */
function busy(form, errorId, action, onExpired = null) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    showError(errorId, null);
    button.disabled = true;
    try {
      await action();
    } catch (error) {
      if (onExpired && error instanceof AuthError && error.code === 'NotAuthorizedException') onExpired();
      else showError(errorId, error);
    } finally {
      button.disabled = false;
    }
  });
}

export class AccountFlow {
  constructor(config, {show, onSignedIn, showSignIn}) {
    this.config = config;
    this.show = show;
    this.onSignedIn = onSignedIn;
    this.showSignIn = showSignIn;
    this.step = null;  // the pending Cognito challenge, if any
    this.finishSetup = null;
    this.mfaOn = null;  // whether the signed-in account has an authenticator app; null: not known
    const rules = passwordRules(config.passwordPolicy);
    for (const form of ['newpassword', 'forgot']) {
      $(`#${form}-needs`).textContent = rules.length ? 'Your password needs:'
        : 'The sign-in service will say if a password does not meet its rules.';
      replace($(`#${form}-rules`), ...rules.map((rule) => el('li', {text: rule})));
      $(`#${form}-rules`).hidden = !rules.length;
    }
    this.wire();
  }

  /** Where a sign-in step leads: the dashboard, or the next challenge's view. */
  async next(result) {
    if (result.session) {
      this.step = null;
      await this.onSignedIn();
      return;
    }
    this.step = result;
    if (result.challenge === 'NEW_PASSWORD_REQUIRED') {
      $('#newpassword-password').value = '';
      showError('newpassword-error', null);
      this.show('newpassword');
      $('#newpassword-password').focus();
    } else if (result.challenge === 'SOFTWARE_TOKEN_MFA') {
      $('#totp-code').value = '';
      showError('totp-error', null);
      this.show('totp');
      $('#totp-code').focus();
    } else if (result.challenge === 'MFA_SETUP') {
      await this.openTotpSetup(result);
    } else {
      throw new AuthError(result.challenge, 'This account needs a sign-in step this page does not offer.');
    }
  }

  /** Ask Cognito whether the signed-in account has an authenticator app on, and say so in the header. */
  async refreshMfaState() {
    try {
      this.showMfaState(await authenticatorOn(this.config));
    } catch {
      this.showMfaState(null);  // not known: the header only offers the set-up
    }
  }

  showMfaState(on) {
    this.mfaOn = on;
    const state = $('#mfa-state');
    state.textContent = on === null ? '' : `Authenticator app: ${on ? 'on' : 'off'}`;
    state.hidden = on === null;
    $('#mfa-open').textContent = on === null ? 'Authenticator app' : on ? 'Replace' : 'Set up';
    $('#mfa-open').setAttribute('aria-label', on ? 'Replace the authenticator app' : 'Set up an authenticator app');
  }

  /** The authenticator-app set-up: for the signed-in admin (step null) or the MFA_SETUP challenge. */
  async openTotpSetup(step = null) {
    const {secret, finish} = await startTotpSetup(this.config, step);
    this.finishSetup = async (code) => {
      const result = await finish(code);
      if (result.session) this.mfaOn = true;
      return result;
    };
    const email = step?.username ?? currentSession()?.email ?? '';
    const qr = qrcode(0, 'M');
    qr.addData(totpUri(secret, email, this.config.siteName));
    qr.make();
    const image = $('#mfasetup-qr');
    image.src = qr.createDataURL(5, 10);
    image.hidden = false;
    $('#mfasetup-secret').textContent = secret;
    $('#mfasetup-required').hidden = !step;
    // Cognito keeps one app per account: a verified new one replaces the old.
    $('#mfasetup-replaces').hidden = Boolean(step) || this.mfaOn !== true;
    $('#mfasetup-cancel').hidden = Boolean(step);
    $('#mfasetup-code').value = '';
    showError('mfasetup-error', null);
    this.show('mfasetup');
    $('#mfasetup-code').focus();
  }

  wire() {
    // A challenge's session lasts minutes; after that, sign-in starts again.
    const expired = () => this.showSignIn('That sign-in step took too long. Please sign in again.');
    busy($('#signin-form'), 'signin-error', async () => {
      const email = $('#signin-email').value.trim();
      const password = $('#signin-password').value;
      if (!email || !password) throw new AuthError('input', 'Enter your email and password.');
      const result = await signIn(this.config, email, password);
      $('#signin-password').value = '';
      $('#signin-notice').hidden = true;
      await this.next(result);
    });

    busy($('#newpassword-form'), 'newpassword-error', async () => {
      const password = $('#newpassword-password').value;
      if (!password) throw new AuthError('input', 'Choose a password.');
      await this.next(await setNewPassword(this.config, this.step, password));
    }, expired);

    busy($('#totp-form'), 'totp-error', async () => {
      const code = $('#totp-code').value.replace(/\s+/g, '');
      if (!/^\d{6}$/.test(code)) throw new AuthError('input', 'Enter the 6 digits the app shows.');
      await this.next(await answerTotp(this.config, this.step, code));
    }, expired);

    $('#mfa-open').addEventListener('click', () => {
      this.openTotpSetup().catch((error) => this.showSignIn(
        error instanceof AuthError ? error.message : 'Could not start the set-up. Sign in again.'));
    });
    busy($('#mfasetup-form'), 'mfasetup-error', async () => {
      const code = $('#mfasetup-code').value.replace(/\s+/g, '');
      if (!/^\d{6}$/.test(code)) throw new AuthError('input', 'Enter the 6 digits the app shows.');
      await this.next(await this.finishSetup(code));
    }, expired);
    $('#mfasetup-cancel').addEventListener('click', () => this.onSignedIn());

    $('#forgot-open').addEventListener('click', () => {
      $('#forgot-email').value = $('#signin-email').value.trim();
      $('#forgot-request-form').hidden = false;
      $('#forgot-confirm-form').hidden = true;
      showError('forgot-request-error', null);
      this.show('forgot');
      $('#forgot-email').focus();
    });
    $('#forgot-back').addEventListener('click', () => this.showSignIn());
    busy($('#forgot-request-form'), 'forgot-request-error', async () => {
      const email = $('#forgot-email').value.trim();
      if (!email) throw new AuthError('input', 'Enter your email address.');
      await forgotPassword(this.config, email);
      $('#forgot-request-form').hidden = true;
      $('#forgot-confirm-form').hidden = false;
      for (const id of ['forgot-code-error', 'forgot-password-error']) showError(id, null);
      $('#forgot-code').focus();
    });
    busy($('#forgot-confirm-form'), 'forgot-password-error', async () => {
      showError('forgot-code-error', null);
      const code = $('#forgot-code').value.trim();
      const password = $('#forgot-password').value;
      if (!code) {
        showError('forgot-code-error', new AuthError('input', 'Enter the code from the email.'));
        return;
      }
      try {
        await confirmForgotPassword(this.config, $('#forgot-email').value.trim(), code, password);
      } catch (error) {
        if (error instanceof AuthError && error.code === 'CodeMismatchException') {
          showError('forgot-code-error', error);
          return;
        }
        throw error;
      }
      $('#forgot-password').value = '';
      this.showSignIn('Your password has been changed. Sign in with the new one.');
    });
  }
}
