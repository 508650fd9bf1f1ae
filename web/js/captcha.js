// Each CAPTCHA provider's widget: its script, the element it renders into, the
// form field it writes its token to, and its global (for reset after a refused
// submission). The site's CSP allows exactly the configured provider
// (infra/web_headers.py); the API's list is chalicelib/contact/captcha.py.
export const CAPTCHAS = {
  turnstile: {script: 'https://challenges.cloudflare.com/turnstile/v0/api.js',
    className: 'cf-turnstile', field: 'cf-turnstile-response', global: 'turnstile'},
  hcaptcha: {script: 'https://js.hcaptcha.com/1/api.js',
    className: 'h-captcha', field: 'h-captcha-response', global: 'hcaptcha'},
  recaptcha: {script: 'https://www.google.com/recaptcha/api.js',
    className: 'g-recaptcha', field: 'g-recaptcha-response', global: 'grecaptcha'},
};

/** The configured provider's entry with the stage's site key, or null. */
export function captchaOf(config) {
  const provider = config?.captcha && CAPTCHAS[config.captcha.provider];
  return provider ? {...provider, siteKey: config.captcha.siteKey} : null;
}
