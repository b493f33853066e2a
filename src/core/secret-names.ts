/**
 * Which variable names hold secrets, from the names real apps use (docs/security.md, "Secrets
 * in output"; the samples are in fixtures/secrets/). A name is cut into words (`DB_PASS` ->
 * DB, PASS; `apiKey` -> API, KEY) and is secret when a word says so, unless a later word says
 * it is only about the secret (`SECRET_TOKEN_TTL`, `DB_PASSWORD_FILE`) or a word says it is
 * public (`VAPID_PUBLIC_KEY`, `NEXT_PUBLIC_...`).
 */

/** A secret wherever they stand: SECRET_KEY_BASE, DB_PASS, OTP_SECRET, GITHUB_PAT, STRIPE_SK. */
const SECRET_WORDS = new Set([
  'SECRET',
  'SECRETS',
  'PASSWORD',
  'PASSWORDS',
  'PASSWD',
  'PASS',
  'PWD',
  'PASSPHRASE',
  'TOKEN',
  'CREDENTIAL',
  'CREDENTIALS',
  'PRIVATE',
  'KEY',
  'KEYS',
  'DSN',
  'SALT',
  'PEPPER',
  'WEBHOOK',
  'SIGNATURE',
  'PAT',
  'SK',
]);

/** Words run together: APIKEY, RECAPTCHA_SECRETKEY, PGPASSWORD, AUTHTOKEN, CLIENTSECRET. */
const SECRET_COMPOUND =
  /^(?:(?:API|ACCESS|SECRET|PRIVATE|MASTER|AUTH|SIGNING|LICENSE|ENCRYPTION|CLIENT|APP|ADMIN)KEY|[A-Z]+(?:TOKEN|SECRET|PASSWORD|PASSWD))$/;

/** Secret only as the last word: `AUTH`, `BASIC_AUTH`, `REDISCLI_AUTH`, not `AUTH_URL`. */
const SECRET_LAST_WORDS = new Set(['AUTH', 'AUTHORIZATION']);

/** After the secret word, these make the name about the secret, not the secret itself. */
const ABOUT_WORDS = new Set([
  'TTL',
  'EXPIRES',
  'EXPIRY',
  'EXPIRE',
  'EXPIRATION',
  'LIFETIME',
  'AGE',
  'LENGTH',
  'LEN',
  'SIZE',
  'BITS',
  'FILE',
  'PATH',
  'DIR',
  'FOLDER',
  'NAME',
  'HEADER',
  'PARAM',
  'FIELD',
  'PREFIX',
  'ALGORITHM',
  'ALG',
  'TYPE',
  'ENABLED',
  'DISABLED',
  'REQUIRED',
  'ROTATION',
  'INTERVAL',
  'VERSION',
  'ENDPOINT',
  'TIMEOUT',
  'RETRIES',
  'COUNT',
  'LIMIT',
  'ISSUER',
  'AUDIENCE',
  'MODE',
  'POLICY',
  'FORMAT',
  'SCOPE',
  'SCOPES',
]);

/** Values meant to be seen: browser-side keys, Next.js' NEXT_PUBLIC_*, VAPID_PUBLIC_KEY. */
const PUBLIC_WORDS = new Set(['PUBLIC', 'PUBLISHABLE']);

/**
 * Whole names: GitLab's container config embeds its passwords; Bundler reads a gem server's
 * credentials from BUNDLE_<HOST> (`BUNDLE_GEMS__CONTRIBSYS__COM=user:pass`); GitLab CI's
 * DOCKER_AUTH_CONFIG is a registry login. GOOGLE_APPLICATION_CREDENTIALS is only a path.
 */
const SECRET_NAMES = /^(?:GITLAB_OMNIBUS_CONFIG|DOCKER_AUTH_CONFIG|BUNDLE_[A-Z0-9_]+__[A-Z0-9_]+)$/;
const PLAIN_NAMES = new Set(['PWD', 'OLDPWD', 'GOOGLE_APPLICATION_CREDENTIALS']);

export function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((word) => word !== '');
}

/**
 * What a name says by the built-in rule: 'secret', 'public' (meant to be seen, whatever its
 * value looks like: a browser's Sentry DSN or Supabase anon key), or nothing, and then the
 * value's shape decides.
 */
export function judgeName(name: string): 'secret' | 'public' | undefined {
  if (SECRET_NAMES.test(name)) return 'secret';
  const words = wordsOf(name);
  if (words.some((word) => PUBLIC_WORDS.has(word))) return 'public';
  if (PLAIN_NAMES.has(name)) return undefined;
  const last = lastSecretWord(words);
  if (last === -1) return undefined;
  return words.slice(last + 1).some((word) => ABOUT_WORDS.has(word)) ? undefined : 'secret';
}

export function isSecretName(name: string): boolean {
  return judgeName(name) === 'secret';
}

function lastSecretWord(words: readonly string[]): number {
  for (let index = words.length - 1; index >= 0; index -= 1) {
    const word = words[index] ?? '';
    const isLast = index === words.length - 1;
    if (SECRET_WORDS.has(word) || SECRET_COMPOUND.test(word)) return index;
    if (isLast && SECRET_LAST_WORDS.has(word)) return index;
  }
  return -1;
}
