import { z } from 'zod';

/** A calendar connect in progress: single use, short-lived (oauth-connect.ts). */
export const oauthStateSchema = z.object({
  state: z.string(),
  agentId: z.string(),
  provider: z.enum(['google', 'microsoft']),
  /** PKCE verifier (RFC 7636), sent with the code exchange. */
  codeVerifier: z.string(),
  redirectUri: z.string(),
  expiresAt: z.number(),
});
export type OAuthState = z.infer<typeof oauthStateSchema>;
