import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createTokenCipher,
  parseEncryptionKey,
  tokenContext,
} from '../../src/calendar/token-cipher.js';

const key = randomBytes(32);
const context = tokenContext('agt-1', 'google');

describe('token cipher (AES-256-GCM)', () => {
  it('when a token is sealed, then it opens with the same key and context, and the text is not in the ciphertext', () => {
    const cipher = createTokenCipher(key);
    const sealed = cipher.encrypt('1//refresh-token-secret', context);
    expect(sealed).toMatch(/^v1\.[\w-]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('refresh-token-secret');
    expect(cipher.decrypt(sealed, context)).toBe('1//refresh-token-secret');
  });

  it('when the same token is sealed twice, then the ciphertexts differ (a fresh nonce each time)', () => {
    const cipher = createTokenCipher(key);
    expect(cipher.encrypt('same', context)).not.toBe(cipher.encrypt('same', context));
  });

  it.each([
    ['another agent', tokenContext('agt-2', 'google')],
    ['another provider', tokenContext('agt-1', 'microsoft')],
  ])('when the ciphertext is opened for %s, then it is refused', (_what, other) => {
    const cipher = createTokenCipher(key);
    const sealed = cipher.encrypt('token', context);
    expect(() => cipher.decrypt(sealed, other)).toThrow(/authentication failed/);
  });

  it('when a byte of the ciphertext is altered, then it is refused', () => {
    const cipher = createTokenCipher(key);
    const parts = cipher.encrypt('token', context).split('.');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[4] = body.toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'), context)).toThrow(/TOKEN|authentication/);
  });

  it('when the key is rotated, then tokens sealed with the previous key still open and new ones use the new key', () => {
    const old = createTokenCipher(key);
    const sealedOld = old.encrypt('old-token', context);
    const next = createTokenCipher(randomBytes(32), [key]);
    expect(next.decrypt(sealedOld, context)).toBe('old-token');
    const sealedNew = next.encrypt('new-token', context);
    expect(sealedNew.split('.')[1]).not.toBe(sealedOld.split('.')[1]);
    expect(() => old.decrypt(sealedNew, context)).toThrow(/not configured/);
  });

  it.each([
    ['64 hex characters', randomBytes(32).toString('hex'), true],
    ['base64 of 32 bytes', randomBytes(32).toString('base64'), true],
    ['16 bytes', randomBytes(16).toString('hex'), false],
    ['text', 'my-password', false],
  ])('when the key is %s, then it is %s', (_what, text, valid) => {
    if (valid) expect(parseEncryptionKey(text)).toHaveLength(32);
    else expect(() => parseEncryptionKey(text)).toThrow(/TOKEN_ENCRYPTION_KEY must be 32 bytes/);
  });
});
