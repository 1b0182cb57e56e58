import { z } from 'zod';
import { AppError, ValidationError } from '../errors.js';
import type { ChatConfiguration } from '../records/chat-configuration.js';
import { isBlockedEmail } from './domain-lists.js';

const emailSchema = z.email().max(254);

/**
 * The one check of an email a visitor types (the chat's email capture, the booking form, any
 * `visitor.email` a widget request carries) before it may create or link a lead: a valid
 * address, not at a blocked domain (Dynamic Chat's security settings, marketo-facts.md §7.3).
 * Returns it trimmed and in lower case; throws 400 naming `field` otherwise (`VALIDATION_FAILED`
 * or `EMAIL_DOMAIN_BLOCKED`). Every path that creates or links a lead goes through here, so a
 * request cannot reach Marketo by carrying its address in another member.
 */
export function acceptVisitorEmail(
  configuration: Pick<ChatConfiguration, 'blockedEmailDomains'>,
  raw: string | undefined,
  field: string,
): string {
  const parsed = emailSchema.safeParse(raw?.trim());
  if (!parsed.success) {
    throw new ValidationError(`${field}: must be a valid email`, field);
  }
  const email = parsed.data.toLowerCase();
  if (isBlockedEmail(configuration.blockedEmailDomains, email)) {
    throw new AppError(
      'EMAIL_DOMAIN_BLOCKED',
      `${field}: emails from this domain are not accepted`,
      {
        httpStatus: 400,
        field,
      },
    );
  }
  return email;
}

/**
 * acceptVisitorEmail for an email a request merely carries along (not the point of the request):
 * the email when it passes, undefined when absent or refused, so the request goes on as if the
 * visitor were anonymous (e.g. a domain blocked after the widget remembered the address).
 */
export function acceptableVisitorEmail(
  configuration: Pick<ChatConfiguration, 'blockedEmailDomains'>,
  raw: string | undefined,
): string | undefined {
  if (raw === undefined) return undefined;
  try {
    return acceptVisitorEmail(configuration, raw, 'email');
  } catch {
    return undefined;
  }
}
