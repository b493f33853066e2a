import t from 'tap';
import { describeEvent } from '../../src/core/events.js';
import { isSecret, maskText, maskValue, MASK, secretRule } from '../../src/core/secrets.js';

t.test('names real apps give their secrets are secret, whatever the value', async (t) => {
  for (const key of [
    'SECRET_KEY_BASE',
    'DB_PASS',
    'DB_PWD',
    'OTP_SECRET',
    'STRIPE_SK',
    'GITHUB_PAT',
    'APIKEY',
    'CLIENT_SECRET_VALUE',
    'SENTRY_DSN',
    'AUTH',
    'BASIC_AUTH',
    'API_KEY',
    'AWS_SECRET',
    'AWS_ACCESS_KEY_ID',
    'GITHUB_TOKEN',
    'TOKEN_URL',
    'DB_PASSWORD',
    'PGPASSWORD',
    'RECAPTCHA_SECRETKEY',
    'SECRET',
    'SSH_PRIVATE',
    'DEVISE_PEPPER',
    'SECURITY_PASSWORD_SALT',
    'SLACK_WEBHOOK_URL',
    'apiKey',
    'GITLAB_OMNIBUS_CONFIG',
    'BUNDLE_GEMS__CONTRIBSYS__COM',
  ]) {
    t.ok(isSecret(key, 'x'), key);
    t.equal(maskValue(key, 'value'), MASK, key);
    t.equal(maskValue(key, ''), '', `${key}: empty stays empty`);
  }
});

t.test('names that only mention a secret, or are public, are not', async (t) => {
  for (const key of [
    'PATH',
    'HOME',
    'PWD',
    'KEYBOARD',
    'PORT',
    'MONKEY',
    'RAILS_ENV',
    'DATABASE_POOL',
    'SECRET_TOKEN_TTL',
    'JWT_EXPIRES_IN',
    'PASSWORD_RESET_TIMEOUT',
    'DB_PASSWORD_FILE',
    'CACHE_KEY_PREFIX',
    'CSRF_TOKEN_NAME',
    'TOKENIZERS_PARALLELISM',
    'OPENAI_MAX_TOKENS',
    'AUTH_URL',
    'NEXTAUTH_URL',
    'AUTH_GITHUB_ID',
    'DISCOURSE_SMTP_AUTHENTICATION',
    'SMTP_USER_NAME',
    'RECAPTCHA_SITEKEY',
    'VAPID_PUBLIC_KEY',
    'STRIPE_PUBLISHABLE_KEY',
    'NEXT_PUBLIC_SUPABASE_ANON_KEY',
    'GOOGLE_APPLICATION_CREDENTIALS',
  ])
    t.notOk(isSecret(key, 'x'), key);
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.signature0';
  t.notOk(isSecret('NEXT_PUBLIC_SUPABASE_ANON_KEY', jwt), 'a public name wins over a shape');
});

t.test('known token shapes are secret under any name', async (t) => {
  for (const value of [
    'sk_live_0123456789abcdefgh',
    'rk_test_0123456789abcdefgh',
    'whsec_0123456789abcdefABCD',
    'ghp_0123456789abcdefghijABCDEFGHIJ012345',
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnop',
    'glpat-0123456789abcdefghij',
    'xoxb-0000000000-0000000000000-abcdefghijkl',
    'AKIAIOSFODNN7EXAMPLE',
    'AIzaSyA0123456789abcdefghijklmnopqrstuv',
    'sk-proj-0123456789abcdefghijklmn',
    'SG.0123456789abcdefgh.0123456789abcdefgh',
    'npm_0123456789abcdefghijklmnopqrstuvwxyz',
    'key-0123456789abcdef0123456789abcdef',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlMA',
    '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----',
  ]) {
    t.ok(isSecret('VALUE', value), value);
    t.equal(maskValue('VALUE', value), MASK, value);
  }
  for (const value of ['pk_live_0123456789abcdefgh', 'sk-SK', 'key-value', 'ghp_short', 'eyJ'])
    t.notOk(isSecret('VALUE', value), value);
});

t.test('URLs keep their shape with their secrets masked', async (t) => {
  const cases: [string, string][] = [
    ['postgres://app:s3cret@db:5432/app', `postgres://app:${MASK}@db:5432/app`],
    ['rediss://:s3cret@redis:6380', `rediss://:${MASK}@redis:6380`],
    [
      'https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/1',
      `https://${MASK}@o1.ingest.sentry.io/1`,
    ],
    [
      'https://ghp_0123456789abcdefghijABCDEFGHIJ012345@github.com/o/r.git',
      `https://${MASK}@github.com/o/r.git`,
    ],
    ['https://example.org/f?token=abc&x=1', `https://example.org/f?token=${MASK}&x=1`],
    [
      'https://b.s3.amazonaws.com/a?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=0123',
      `https://b.s3.amazonaws.com/a?X-Amz-Credential=${MASK}&X-Amz-Signature=${MASK}`,
    ],
    [
      'https://acct.blob.core.windows.net/c?sv=2022&sig=abc%3D',
      `https://acct.blob.core.windows.net/c?sv=2022&sig=${MASK}`,
    ],
    [
      'https://hooks.slack.com/services/T000/B000/abcdefghijkl',
      `https://hooks.slack.com/services/${MASK}`,
    ],
    [
      'AccountName=a;AccountKey=abc==;EndpointSuffix=x',
      `AccountName=a;AccountKey=${MASK};EndpointSuffix=x`,
    ],
  ];
  for (const [value, masked] of cases) {
    t.ok(isSecret('SOME_URL', value), value);
    t.equal(maskValue('SOME_URL', value), masked, value);
  }
  for (const value of [
    'https://example.com/a:b@c',
    'redis://redis:6379/0',
    'git+ssh://git@github.com/o/r',
    'https://example.org/?page=2&sort=name',
    'postgres://app@db/app',
  ])
    t.equal(maskValue('SOME_URL', value), value, value);
});

t.test('marks decide for the names they match, secrets before not_secrets', async (t) => {
  const rule = secretRule({
    secrets: ['SKYLIGHT_*', 'BOTH'],
    notSecrets: ['SUPABASE_ANON_KEY', 'BOTH', 'SAMPLE_URL'],
  });
  t.ok(rule.isSecret('SKYLIGHT_AUTHENTICATION', 'x'));
  t.equal(rule.maskValue('SKYLIGHT_AUTHENTICATION', 'x'), MASK);
  t.notOk(rule.isSecret('SUPABASE_ANON_KEY', 'eyJ0123456789.eyJ0123456789.0123456789'));
  t.ok(rule.isSecret('BOTH', 'x'));
  t.equal(rule.maskValue('SAMPLE_URL', 'postgres://a:b@c/d'), 'postgres://a:b@c/d');
  t.ok(rule.isSecret('OTHER_TOKEN', 'x'), 'other names keep the built-in rule');
  t.ok(rule.isSecret('DB_PASSWORD', ''), 'an empty secret is still a secret (for the Secret)');
});

t.test('messages keep our words and lose the secrets they quote', async (t) => {
  t.equal(
    maskText('.env:2: expected KEY=value, got "DB_PASS=hunter2 rails s" (hint: write KEY=value)'),
    `.env:2: expected KEY=value, got "DB_PASS=${MASK} rails s" (hint: write KEY=value)`,
  );
  t.equal(
    maskText('web.1 could not start: git clone https://u:pw@h/r and sk_live_0123456789abcdef'),
    `web.1 could not start: git clone https://u:${MASK}@h/r and ${MASK}`,
  );
});

t.test('log records mask the secrets a warning quotes', async (t) => {
  const message = 'web.1 could not start: cannot reach https://deploy:hunter2@registry.example.org';
  t.equal(
    describeEvent({ event: 'warning', message }),
    `web.1 could not start: cannot reach https://deploy:${MASK}@registry.example.org`,
  );
});
