import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';

/**
 * Refresh tokens at rest: AES-256-GCM with a fresh random 96-bit nonce per encryption (NIST SP
 * 800-38D), the agent and provider as additional authenticated data (a ciphertext copied onto
 * another agent does not decrypt), and the key's id in front so a key can be rotated: the
 * current key encrypts, the previous one still decrypts (research/reliability-security.md E1).
 *
 * Format: `v1.<keyId>.<nonce>.<tag>.<ciphertext>`, each part base64url. The key comes from
 * TOKEN_ENCRYPTION_KEY (32 bytes as 64 hex characters or base64); it is never stored with the data.
 */
export interface TokenCipher {
  encrypt(plaintext: string, context: string): string;
  decrypt(sealed: string, context: string): string;
}

const VERSION = 'v1';

export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new AppError(
      'TOKEN_KEY_INVALID',
      'TOKEN_ENCRYPTION_KEY must be 32 bytes: 64 hex characters or 44 base64 characters ' +
        '(generate one with `openssl rand -hex 32`)',
      { httpStatus: 500 },
    );
  }
  return key;
}

const keyIdOf = (key: Buffer) => createHash('sha256').update(key).digest('base64url').slice(0, 8);

export function createTokenCipher(current: Buffer, previous: Buffer[] = []): TokenCipher {
  const keys = new Map<string, Buffer>();
  for (const key of [current, ...previous]) keys.set(keyIdOf(key), key);
  const currentId = keyIdOf(current);

  return {
    encrypt(plaintext, context) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, nonce);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, currentId, nonce, tag, body]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    decrypt(sealed, context) {
      const parts = sealed.split('.');
      const [version, keyId, nonce, tag, body] = parts;
      if (parts.length !== 5 || version !== VERSION || body === undefined) {
        throw undecryptable('the stored token is not in the v1 format');
      }
      const key = keys.get(keyId!);
      if (key === undefined) {
        throw undecryptable(`the token was sealed with key ${keyId}, which is not configured`);
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce!, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag!, 'base64url'));
        const plain = Buffer.concat([
          decipher.update(Buffer.from(body, 'base64url')),
          decipher.final(),
        ]);
        return plain.toString('utf8');
      } catch {
        throw undecryptable('authentication failed (wrong key, or the data was altered)');
      }
    },
  };
}

function undecryptable(reason: string): AppError {
  return new AppError('TOKEN_UNDECRYPTABLE', `Cannot decrypt a calendar token: ${reason}`, {
    httpStatus: 500,
  });
}

/** The AAD binding a sealed token to its agent and provider. */
export const tokenContext = (agentId: string, provider: string) => `agent:${agentId}|${provider}`;
