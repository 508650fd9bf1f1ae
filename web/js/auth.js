// Sign-in against a Cognito user pool, called directly with fetch: the same
// requests work against real Cognito and against the local stack's moto.
//   USER_PASSWORD_AUTH  email + password → tokens, or a challenge:
//     NEW_PASSWORD_REQUIRED  a first sign-in with a temporary password
//     SOFTWARE_TOKEN_MFA     a code from the authenticator app
//     MFA_SETUP              the pool requires an authenticator app this account lacks
//   REFRESH_TOKEN_AUTH  refresh token    → new ID and access tokens
//   ForgotPassword + ConfirmForgotPassword, and GlobalSignOut at sign-out,
//   which revokes the refresh token (moto has no RevokeToken).
// The session lives in sessionStorage, so it ends with the browser tab.

const STORAGE_KEY = 'frontdesk.session';
const REFRESH_MARGIN_MS = 60_000;

export class AuthError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'AuthError';
    this.code = code;
  }
}

// Cognito error types, in words a person can act on.
const MESSAGES = {
  NotAuthorizedException: 'Incorrect email or password.',
  UserNotFoundException: 'Incorrect email or password.',
  UserNotConfirmedException: 'This account is not confirmed yet.',
  PasswordResetRequiredException: 'This account needs a password reset.',
  TooManyRequestsException: 'Too many attempts. Wait a moment and try again.',
  LimitExceededException: 'Too many attempts. Wait a moment and try again.',
  CodeMismatchException: 'That code is not right. Check the app and try again.',
  ExpiredCodeException: 'That code has expired. Ask for a new one.',
  EnableSoftwareTokenMFAException: 'That code is not right. Check the app and try again.',
};
// Errors whose own message is the reason to show (Cognito's words about a password).
const OWN_MESSAGE = new Set(['InvalidPasswordException', 'InvalidParameterException']);

async function cognito(config, action, body) {
  let response;
  try {
    response = await fetch(config.cognitoEndpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new AuthError('network_error', 'Could not reach the sign-in service. Check your connection and try again.');
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    // "__type" is "NotAuthorizedException" or "com.amazonaws...#NotAuthorizedException".
    const type = String(data.__type ?? '').split('#').pop();
    const own = String(data.message ?? data.Message ?? '');
    const message = OWN_MESSAGE.has(type) && own ? own : MESSAGES[type];
    throw new AuthError(type || 'unknown', message ?? 'Signing in failed. Try again.');
  }
  return data;
}

/** The claims of a JWT, for display and expiry only: the API verifies tokens, not this page. */
export function claimsOf(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(Array.from(atob(payload),
      (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''));
    return JSON.parse(json);
  } catch {
    return {};
  }
}

function save({IdToken: idToken, AccessToken: accessToken}, refreshToken) {
  const claims = claimsOf(idToken);
  const session = {
    idToken,
    accessToken,
    refreshToken,
    email: claims.email ?? claims['cognito:username'] ?? '',
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : 0,
  };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  return session;
}

export function currentSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
    return session && typeof session.idToken === 'string' ? session : null;
  } catch {
    return null;
  }
}

/** Forget this tab's session without telling Cognito (it has ended anyway). */
export function forgetSession() {
  sessionStorage.removeItem(STORAGE_KEY);
}

/**
 * End the session: GlobalSignOut revokes the refresh token (and the access
 * token), so a copy taken from this tab no longer works; then forget it here.
 * Resolves to false when Cognito could not be told.
 */
export async function signOut(config) {
  const session = currentSession();
  if (!session) return true;
  try {
    await cognito(config, 'GlobalSignOut', {AccessToken: (await freshSession(config)).accessToken});
    return true;
  } catch (error) {
    // A refresh token that no longer works has been revoked already.
    return error instanceof AuthError && error.code === 'NotAuthorizedException';
  } finally {
    forgetSession();
  }
}

/**
 * What a sign-in step answered: {session} when signed in, or
 * {challenge, username, cognitoSession} when Cognito asks for another step.
 */
function outcome(data, username) {
  if (data.AuthenticationResult) {
    return {session: save(data.AuthenticationResult, data.AuthenticationResult.RefreshToken)};
  }
  return {challenge: data.ChallengeName, username, cognitoSession: data.Session};
}

export async function signIn(config, email, password) {
  const data = await cognito(config, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: config.userPoolClientId,
    AuthParameters: {USERNAME: email, PASSWORD: password},
  });
  return outcome(data, data.ChallengeParameters?.USERNAME ?? email);
}

function respond(config, step, name, responses) {
  return cognito(config, 'RespondToAuthChallenge', {
    ClientId: config.userPoolClientId,
    ChallengeName: name,
    Session: step.cognitoSession,
    ChallengeResponses: {USERNAME: step.username, ...responses},
  }).then((data) => outcome(data, step.username));
}

/** NEW_PASSWORD_REQUIRED: the password the person chose instead of the temporary one. */
export function setNewPassword(config, step, newPassword) {
  return respond(config, step, 'NEW_PASSWORD_REQUIRED', {NEW_PASSWORD: newPassword});
}

/** SOFTWARE_TOKEN_MFA: the six digits the authenticator app shows. */
export function answerTotp(config, step, code) {
  return respond(config, step, 'SOFTWARE_TOKEN_MFA', {SOFTWARE_TOKEN_MFA_CODE: code});
}

/**
 * Authenticator-app set-up, for a signed-in account (step null) or for the
 * MFA_SETUP challenge (step from signIn). Resolves to {secret, finish(code)};
 * finish verifies the first code and turns TOTP on, resolving like signIn.
 */
export async function startTotpSetup(config, step = null) {
  const who = step ? {Session: step.cognitoSession}
    : {AccessToken: (await freshSession(config))?.accessToken};
  const associated = await cognito(config, 'AssociateSoftwareToken', who);
  const secret = associated.SecretCode;
  const finish = async (code) => {
    const verified = await cognito(config, 'VerifySoftwareToken', {
      ...(step ? {Session: associated.Session ?? step.cognitoSession} : who),
      UserCode: code,
      FriendlyDeviceName: 'Authenticator app',
    });
    const result = step
      ? await respond(config, {...step, cognitoSession: verified.Session}, 'MFA_SETUP', {})
      : {session: currentSession()};
    if (result.session) {
      await cognito(config, 'SetUserMFAPreference', {
        AccessToken: result.session.accessToken,
        SoftwareTokenMfaSettings: {Enabled: true, PreferredMfa: true},
      });
    }
    return result;
  };
  return {secret, finish};
}

/** Whether the signed-in account has an authenticator app on (Cognito's GetUser). */
export async function authenticatorOn(config) {
  const user = await cognito(config, 'GetUser', {AccessToken: (await freshSession(config))?.accessToken});
  return (user.UserMFASettingList ?? []).includes('SOFTWARE_TOKEN_MFA');
}

/** The otpauth:// address authenticator apps read from the QR code. */
export function totpUri(secret, email, issuer = 'Frontdesk') {
  const label = encodeURIComponent(`${issuer}:${email}`);
  return `otpauth://totp/${label}?secret=${encodeURIComponent(secret)}&issuer=${encodeURIComponent(issuer)}`;
}

/**
 * Ask for a password-reset code. Cognito answers the same for an address with
 * no account (the pool prevents user-existence errors), and so does the page.
 */
export async function forgotPassword(config, email) {
  await cognito(config, 'ForgotPassword', {ClientId: config.userPoolClientId, Username: email});
}

const FORGOT_CODE_ERRORS = ['CodeMismatchException', 'ExpiredCodeException', 'UserNotFoundException',
  'ResourceNotFoundException'];

export async function confirmForgotPassword(config, email, code, newPassword) {
  try {
    await cognito(config, 'ConfirmForgotPassword', {
      ClientId: config.userPoolClientId, Username: email, ConfirmationCode: code, Password: newPassword,
    });
  } catch (error) {
    // One answer for a wrong code, an old one, and an address with no account:
    // the page must never tell "no such user" apart.
    if (error instanceof AuthError && FORGOT_CODE_ERRORS.includes(error.code)) {
      throw new AuthError('CodeMismatchException', 'That code is wrong or has expired. Check it, or ask for a new one.');
    }
    throw error;
  }
}

/** New ID token from the refresh token; throws AuthError when the session cannot go on. */
export async function refresh(config) {
  const session = currentSession();
  if (!session?.refreshToken) throw new AuthError('no_session', 'Not signed in.');
  const data = await cognito(config, 'InitiateAuth', {
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    ClientId: config.userPoolClientId,
    AuthParameters: {REFRESH_TOKEN: session.refreshToken},
  });
  const result = data.AuthenticationResult;
  // Cognito does not rotate the refresh token on this flow: keep the one we have.
  return save(result, result.RefreshToken ?? session.refreshToken);
}

/** The session with tokens valid for at least another minute, refreshed when needed. */
async function freshSession(config) {
  const session = currentSession();
  if (session?.expiresAt && session.expiresAt - Date.now() < REFRESH_MARGIN_MS) {
    return refresh(config);
  }
  return session;
}

/** An ID token that is valid for at least another minute, refreshing it when needed. */
export async function freshIdToken(config) {
  return (await freshSession(config))?.idToken ?? null;
}
