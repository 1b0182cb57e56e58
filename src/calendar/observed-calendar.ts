import type { CalendarClient } from './calendar-types.js';

/** The calls of the calendar contract that reach a provider. */
const OPERATIONS = [
  'getBusy',
  'createEvent',
  'updateEvent',
  'cancelEvent',
  'getEvent',
  'cancelEventOfMeeting',
] as const;

/**
 * `client`, telling `onError` of every call that fails (after the provider module's own
 * retries), for the service's calendar error metric. The error goes on to the caller as it
 * was: observing changes nothing, and the provider modules stay free of metrics.
 */
export function observeCalendar(
  client: CalendarClient,
  onError: (provider: string, operation: string) => void,
): CalendarClient {
  const observed: CalendarClient = Object.create(client) as CalendarClient;
  for (const operation of OPERATIONS) {
    const call = client[operation] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (call === undefined) continue;
    Object.defineProperty(observed, operation, {
      value: (...args: unknown[]) =>
        call.apply(client, args).catch((error: unknown) => {
          onError(client.kind, operation);
          throw error;
        }),
    });
  }
  return observed;
}
