// The deployment's settings, generated next to the pages as config.json:
// `make dev` serves one for the local stack; a deployment writes its own.
// {apiUrl, region, userPoolClientId, cognitoEndpoint?, passwordPolicy?, captcha?, branding?,
//  spamRetentionDays?}
// captcha is {provider: 'turnstile'|'hcaptcha'|'recaptcha', siteKey} when the stage has one.
// passwordPolicy is the user pool's PasswordPolicy as DescribeUserPool returns it
// ({MinimumLength, RequireLowercase, …}); the sign-in page shows it as rules.
// branding is {siteName, timeZone, dashboardLink}, the stage's settings (docs/deploy.md):
// the pages already carry the name (infra/web_pages.py); scripts use it for the
// authenticator app's label and show the dashboard's dates in timeZone.

let loaded = null;

export function loadConfig() {
  loaded ??= fetch(new URL('config.json', document.baseURI), {cache: 'no-store'})
    .then((response) => {
      if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
      return response.json();
    })
    .then(normalise);
  return loaded;
}

export function normalise(raw) {
  for (const key of ['apiUrl', 'region', 'userPoolClientId']) {
    if (typeof raw[key] !== 'string' || !raw[key]) throw new Error(`config.json has no ${key}`);
  }
  return Object.freeze({
    apiUrl: raw.apiUrl.replace(/\/+$/, ''),
    region: raw.region,
    userPoolClientId: raw.userPoolClientId,
    // Real Cognito's endpoint follows from the region; the local stack names its own.
    cognitoEndpoint: raw.cognitoEndpoint || `https://cognito-idp.${raw.region}.amazonaws.com/`,
    passwordPolicy: raw.passwordPolicy && typeof raw.passwordPolicy === 'object' ? raw.passwordPolicy : null,
    captcha: raw.captcha && typeof raw.captcha.siteKey === 'string' && raw.captcha.siteKey
      ? Object.freeze({provider: String(raw.captcha.provider), siteKey: raw.captcha.siteKey}) : null,
    siteName: typeof raw.branding?.siteName === 'string' && raw.branding.siteName
      ? raw.branding.siteName : 'Frontdesk',
    timeZone: typeof raw.branding?.timeZone === 'string' && raw.branding.timeZone
      ? raw.branding.timeZone : null,
    // How long spam is kept before it is deleted (the stage's spamRetentionDays).
    spamRetentionDays: Number.isInteger(raw.spamRetentionDays) && raw.spamRetentionDays > 0
      ? raw.spamRetentionDays : 30,
  });
}
