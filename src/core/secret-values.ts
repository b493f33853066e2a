import { isSecretName } from './secret-names.js';

/**
 * Secrets found by their shape in any text (a value, an error message): tokens whose issuers
 * give them a recognisable prefix, credentials inside URLs, and `name=value` pairs whose name
 * is secret (`?token=`, `X-Amz-Signature=`, `Password=` in a connection string). Each is
 * replaced by the mask in place, so the text keeps its shape: `postgres://app:********@db/app`.
 */
export const MASK = '********';

/** Prefixes the issuers document; lengths keep ordinary words (`sk-SK`, `key-value`) out. */
const TOKEN_SHAPES = [
  /\b[rs]k_(?:live|test)_[A-Za-z0-9]{10,}/, // Stripe secret and restricted keys
  /\bwhsec_[A-Za-z0-9+/=]{16,}/, // Stripe webhook signing secret
  /\bgh[pousr]_[A-Za-z0-9]{30,}/, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{30,}/, // GitHub fine-grained tokens
  /\bgl(?:pat|rt|dt|ptt)-[A-Za-z0-9_-]{20,}/, // GitLab personal, runner, deploy, trigger
  /\bGR1348941[A-Za-z0-9_-]{20,}/, // GitLab runner registration token
  /\bxox[abposre]-[A-Za-z0-9-]{10,}/, // Slack tokens
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/, // AWS access key ids
  /\bAIza[0-9A-Za-z_-]{35}/, // Google API keys
  /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}/, // OpenAI, Anthropic
  /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/, // SendGrid
  /\bnpm_[A-Za-z0-9]{36}\b/, // npm
  /\bhf_[A-Za-z0-9]{30,}/, // Hugging Face
  /\bdop_v1_[a-f0-9]{64}/, // DigitalOcean
  /\bshp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}/, // Shopify
  /\bkey-[0-9a-f]{32}\b/, // Mailgun
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, // JWT
  /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z]+ )*PRIVATE KEY-----|$)/,
];
const TOKENS = new RegExp(TOKEN_SHAPES.map((shape) => shape.source).join('|'), 'g');
const TOKEN = new RegExp(`^(?:${TOKEN_SHAPES.map((shape) => shape.source).join('|')})$`);

/** Webhook URLs whose path is the credential: Slack, Discord. */
const WEBHOOK_PATHS =
  /(hooks\.slack\.com\/(?:services|workflows|triggers)\/|discord(?:app)?\.com\/api\/webhooks\/\d+\/)[^\s?#"'<>]+/g;

/** `scheme://user:password@` and `scheme://user@`. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^/:@\s"'<>]*)(?::([^@\s"'<>]*))?@/gi;

/**
 * `name=value` after a start of text, blank, `?`, `&`, `;`, quote or comma: query strings,
 * connection strings (`AccountKey=...;`), shell assignments (`DB_PASS=x rails s`).
 */
const PAIRS = /(^|[\s?&;"'(,-])([A-Za-z_][A-Za-z0-9_.-]*)=("[^"]*"|'[^']*'|[^\s"'&;#<>]*)/g;

/** A URL's user that is really a token: a known shape, or long, random-looking text. */
function isTokenLike(text: string): boolean {
  if (TOKEN.test(text)) return true;
  return (
    text.length >= 20 &&
    /^[A-Za-z0-9_.~%-]+$/.test(text) &&
    /\d/.test(text) &&
    /[A-Za-z]/.test(text)
  );
}

/** Pair names that are secret in URLs though not as variable names: Azure SAS's `sig`. */
function isSecretParam(name: string): boolean {
  return name.toLowerCase() === 'sig' || isSecretName(name);
}

/** A value with every secret-shaped part replaced by the mask. */
export function maskShapes(value: string): string {
  return maskPairs(maskTokens(value));
}

/** Tokens, URL credentials and webhook paths, wherever they are. */
export function maskTokens(text: string): string {
  return text
    .replace(URL_USERINFO, (whole, scheme: string, user: string, password?: string) => {
      if (password !== undefined) return password === '' ? whole : `${scheme}${user}:${MASK}@`;
      return isTokenLike(user) ? `${scheme}${MASK}@` : whole;
    })
    .replace(WEBHOOK_PATHS, `$1${MASK}`)
    .replace(TOKENS, MASK);
}

export function maskPairs(text: string): string {
  return text.replace(PAIRS, (whole, before: string, name: string, value: string) =>
    value !== '' && value !== MASK && isSecretParam(name) ? `${before}${name}=${MASK}` : whole,
  );
}
