// Sign-in against a Cognito user pool, called directly with fetch: the same
// requests work against real Cognito and against the local stack's moto.
//   USER_PASSWORD_AUTH  email + password → ID, access and refresh tokens
//   REFRESH_TOKEN_AUTH  refresh token    → new ID and access tokens
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
};

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
    throw new AuthError(type || 'unknown', MESSAGES[type] ?? 'Signing in failed. Try again.');
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

function save(idToken, refreshToken) {
  const claims = claimsOf(idToken);
  const session = {
    idToken,
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

export function signOut() {
  sessionStorage.removeItem(STORAGE_KEY);
}

export async function signIn(config, email, password) {
  const data = await cognito(config, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: config.userPoolClientId,
    AuthParameters: {USERNAME: email, PASSWORD: password},
  });
  if (data.ChallengeName) {
    // A new account with a temporary password; this small site has no screen for it.
    throw new AuthError(data.ChallengeName, 'This account must set a new password before it can sign in here.');
  }
  const result = data.AuthenticationResult;
  return save(result.IdToken, result.RefreshToken);
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
  return save(result.IdToken, result.RefreshToken ?? session.refreshToken);
}

/** An ID token that is valid for at least another minute, refreshing it when needed. */
export async function freshIdToken(config) {
  const session = currentSession();
  if (!session) return null;
  if (session.expiresAt && session.expiresAt - Date.now() < REFRESH_MARGIN_MS) {
    return (await refresh(config)).idToken;
  }
  return session.idToken;
}
