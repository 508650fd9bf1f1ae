// The deployment's settings, generated next to the pages as config.json:
// `make dev` serves one for the local stack; a deployment writes its own.
// {apiUrl, region, userPoolClientId, cognitoEndpoint?, passwordPolicy?}
// passwordPolicy is the user pool's PasswordPolicy as DescribeUserPool returns it
// ({MinimumLength, RequireLowercase, …}); the sign-in page shows it as rules.

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
  });
}
