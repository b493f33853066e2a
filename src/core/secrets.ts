/**
 * Which values look secret, for `env` (masked unless --show-secrets) and for export formats
 * that separate secrets from ordinary config (a Kubernetes Secret).
 */
const SECRET_KEY =
  /(_KEY$|^KEY$|_SECRET$|^SECRET$|TOKEN|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE)/i;
const URL_CREDENTIALS = /^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)([^@\s]+)(@)/i;
export const MASK = '********';

export function isSecret(key: string, value: string): boolean {
  return SECRET_KEY.test(key) || URL_CREDENTIALS.test(value);
}

/** A URL keeps its shape (`postgres://app:********@db/app`); other secrets become a mask. */
export function maskValue(key: string, value: string): string {
  if (SECRET_KEY.test(key)) return value === '' ? '' : MASK;
  return value.replace(URL_CREDENTIALS, `$1${MASK}$3`);
}
