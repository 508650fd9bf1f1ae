// Calls to the Frontdesk API. Every error the API sends has one shape:
//   {"error": {"code", "message", "details"?: [{"field", "message"}], "requestId"}}
// and becomes an ApiError here. A request the browser could not complete
// (offline, or a CORS refusal, which scripts cannot tell apart) has status 0.

import {AuthError, currentSession, freshIdToken, refresh} from './auth.js';

export class ApiError extends Error {
  constructor(status, code, message, details = [], requestId = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = Array.isArray(details) ? details : [];
    this.requestId = requestId;
  }

  /** The messages of `details`, by field name. */
  fieldErrors() {
    const byField = {};
    for (const {field, message} of this.details) {
      if (field) (byField[field] ??= []).push(message);
    }
    return byField;
  }
}

/**
 * A fresh Idempotency-Key: make one per thing the user means to create once,
 * and send it again with every retry of that creation (the API then answers a
 * retry with its first answer instead of creating twice).
 */
export function newIdempotencyKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

const NETWORK_MESSAGE = 'Could not reach the server. Check your connection and try again.';

async function toApiError(response) {
  const body = await response.json().catch(() => null);
  const error = body?.error;
  if (error && typeof error.code === 'string') {
    return new ApiError(response.status, error.code, error.message ?? 'Something went wrong.',
      error.details, error.requestId ?? response.headers.get('X-Request-Id'));
  }
  return new ApiError(response.status, 'http_error', `The server answered ${response.status}.`,
    [], response.headers.get('X-Request-Id'));
}

/**
 * @param {{apiUrl: string}} config
 * @param {{onUnauthorized?: (error: ApiError) => void}} [hooks]
 *   onUnauthorized runs when a signed-in call gets 401 even after a refresh.
 */
export function createApi(config, hooks = {}) {
  async function send(method, path, {body, headers = {}, query, auth}) {
    const url = new URL(config.apiUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, value);
    }
    const init = {method, headers: {Accept: 'application/json', ...headers}};
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (auth) init.headers.Authorization = `Bearer ${auth}`;
    try {
      return await fetch(url, init);
    } catch {
      throw new ApiError(0, 'network_error', NETWORK_MESSAGE);
    }
  }

  async function unauthorized(error) {
    hooks.onUnauthorized?.(error);
    return error;
  }

  /**
   * @param {{body?: any, headers?: Record<string,string>, query?: Record<string,any>, signedIn?: boolean, raw?: boolean}} [options]
   * @returns {Promise<{status: number, data: any, etag: string|null, response: Response}>}
   */
  async function request(method, path, {body, headers, query, signedIn = true, raw = false} = {}) {
    let token = null;
    if (signedIn) {
      try {
        token = await freshIdToken(config);
      } catch (error) {
        if (error instanceof AuthError && error.code !== 'network_error') {
          throw await unauthorized(new ApiError(401, 'unauthorized', 'Your session has ended.'));
        }
        throw new ApiError(0, 'network_error', error.message);
      }
      if (!token) throw await unauthorized(new ApiError(401, 'unauthorized', 'Not signed in.'));
    }
    let response = await send(method, path, {body, headers, query, auth: token});
    if (response.status === 401 && signedIn && currentSession()?.refreshToken) {
      // The ID token may have been revoked or expired early: one refresh, one retry.
      try {
        token = (await refresh(config)).idToken;
        response = await send(method, path, {body, headers, query, auth: token});
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
      }
    }
    if (!response.ok) {
      const error = await toApiError(response);
      if (error.status === 401 && signedIn) await unauthorized(error);
      throw error;
    }
    // raw: the caller reads the body itself (a CSV export).
    const data = raw || response.status === 204 ? null : await response.json().catch(() => null);
    return {status: response.status, data, etag: response.headers.get('ETag'), response};
  }

  return {
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, {...options, body}),
    put: (path, body, options) => request('PUT', path, {...options, body}),
    patch: (path, body, options) => request('PATCH', path, {...options, body}),
    delete: (path, options) => request('DELETE', path, options),
  };
}
