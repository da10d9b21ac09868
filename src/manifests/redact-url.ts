// Credentials in a URL (`https://user:pass@host/...`) must never reach a plan, an error, a log
// line or /status. Validation rejects them, but every place that renders a source URL still
// passes it through here, so a URL that slipped past validation (an older manifest, a state file,
// a message that quotes the URL back, like Node's fetch error) shows `***@` instead. Pure.

/** scheme://userinfo@ — userinfo is everything up to the last `@` before the authority ends. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

/** The URL with its userinfo (user and password) replaced by `***`; anything else is unchanged. */
export function redactUrl(url: string): string {
  return redactUrlsIn(url);
}

/** Every `scheme://user:pass@` inside a free text (an error message quoting a URL) redacted. */
export function redactUrlsIn(text: string): string {
  return text.replace(USERINFO, '$1***@');
}

/** True when the URL carries a user name or password. */
export function hasUserinfo(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return new RegExp(USERINFO.source, 'i').test(url);
  }
}
