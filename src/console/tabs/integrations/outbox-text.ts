/** The outbox section's words for a person: ages and why deliveries are held. */

export interface OutboxHold {
  reason: string;
  code: string;
  since: string;
  seconds: number;
}

/** "3 min", "2 h 5 min": an age for a person. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

/**
 * What an operator reads when deliveries are held back untried (GET /api/outbox `heldFor`):
 * what is wrong, for how long, that nothing is lost, and what to check. Null when none are.
 */
export function describeHold(hold: OutboxHold | null): string | null {
  if (hold === null) return null;
  const cause =
    hold.code === 'MARKETO_URL_NOT_FOUND'
      ? 'something other than Marketo answers at its Identity address: check MARKETO_BASE_URL'
      : hold.code === 'MARKETO_AUTH_FAILED'
        ? 'Marketo refuses the credentials: check MARKETO_CLIENT_ID and MARKETO_CLIENT_SECRET'
        : `Marketo refuses to issue a token (${hold.code})`;
  return (
    `Writes to Marketo are on hold for ${formatAge(hold.seconds)}: ${cause}. ` +
    'They wait in the outbox without spending attempts and go out once a token is issued; ' +
    'none is lost.'
  );
}
