import t from 'tap';
import { isSecret, maskValue, MASK } from '../../src/core/secrets.js';

t.test('secret-looking keys are masked', async (t) => {
  for (const key of [
    'API_KEY',
    'AWS_SECRET',
    'GITHUB_TOKEN',
    'TOKEN_URL',
    'DB_PASSWORD',
    'SECRET',
    'SSH_PRIVATE',
  ]) {
    t.ok(isSecret(key, 'x'), key);
    t.equal(maskValue(key, 'value'), MASK, key);
  }
  for (const key of ['PATH', 'HOME', 'KEYBOARD', 'PORT', 'MONKEY'])
    t.notOk(isSecret(key, 'x'), key);
});

t.test('URLs with credentials keep their shape', async (t) => {
  t.ok(isSecret('DATABASE_URL', 'postgres://app:s3cret@db:5432/app'));
  t.equal(
    maskValue('DATABASE_URL', 'postgres://app:s3cret@db:5432/app'),
    `postgres://app:${MASK}@db:5432/app`,
  );
  t.notOk(isSecret('HOMEPAGE', 'https://example.com/a:b@c'));
  t.equal(maskValue('HOMEPAGE', 'https://example.com/'), 'https://example.com/');
});
