import type { Logger } from '../logger.js';
import type { AgentStore } from '../store/meeting-store-types.js';
import { tokenContext, type TokenCipher } from './token-cipher.js';

/**
 * At start: every stored calendar grant must decrypt with the configured keys. One that does
 * not (TOKEN_ENCRYPTION_KEY changed without _PREVIOUS) takes its agent out of routing until the
 * configuration is fixed; saying so at start is kinder than a quiet gap in the rotation.
 * Returns the agents whose grant cannot be read.
 */
export async function checkStoredGrants(
  store: AgentStore,
  cipher: TokenCipher,
  logger: Logger,
): Promise<string[]> {
  const unreadable: string[] = [];
  for (const agent of await store.listAgents()) {
    const { provider, encryptedRefreshToken } = agent.calendar;
    if (provider === 'local' || encryptedRefreshToken === undefined) continue;
    try {
      cipher.decrypt(encryptedRefreshToken, tokenContext(agent.id, provider));
    } catch {
      unreadable.push(agent.id);
    }
  }
  if (unreadable.length > 0) {
    logger.error(
      { agents: unreadable },
      'calendar grants cannot be decrypted with TOKEN_ENCRYPTION_KEY (or _PREVIOUS): these agents get no meetings until the key is fixed',
    );
  }
  return unreadable;
}
