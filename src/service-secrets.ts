import {
  createTokenCipher,
  parseEncryptionKey,
  type TokenCipher,
} from './calendar/token-cipher.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { resolveSecret } from './runtime.js';

export interface ServiceSecrets {
  adminToken: string;
  webhookSecret: string;
  ssfsApiKey: string;
  /** Seals calendar refresh tokens, with TOKEN_ENCRYPTION_KEY_PREVIOUS still read. */
  cipher: TokenCipher;
  /** The keys the visitors' meeting links are signed with: the current one first. */
  linkSecrets: Buffer[];
}

/**
 * The service's secrets: from configuration, or generated once beside the store in sandbox mode
 * (resolveSecret), so no endpoint is ever open.
 */
export async function loadServiceSecrets(config: Config, logger: Logger): Promise<ServiceSecrets> {
  const secret = (configured: string | undefined, name: Parameters<typeof resolveSecret>[1]) =>
    resolveSecret(configured, name, config.dataFile, logger);
  const adminToken = await secret(config.adminToken, 'admin-token');
  const webhookSecret = await secret(config.webhooks.secret, 'webhook-secret');
  const ssfsApiKey = await secret(config.ssfs.apiKey, 'ssfs-api-key');
  const tokenKey = parseEncryptionKey(
    await secret(config.calendar.tokenKey, 'token-encryption-key'),
  );
  const previousTokenKeys =
    config.calendar.previousTokenKey === undefined
      ? []
      : [parseEncryptionKey(config.calendar.previousTokenKey)];
  return {
    adminToken,
    webhookSecret,
    ssfsApiKey,
    cipher: createTokenCipher(tokenKey, previousTokenKeys),
    linkSecrets: [tokenKey, ...previousTokenKeys],
  };
}
