import type { Clock } from '../deps.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Agent } from '../records/meeting-contract.js';
import type { AgentStore } from '../store/meeting-store-types.js';
import {
  CalendarGrantError,
  type CalendarAccess,
  type CalendarClient,
  type CalendarEventInput,
  type CalendarEventResult,
  type Interval,
} from './calendar-types.js';
import { tokenContext, type TokenCipher } from './token-cipher.js';

/** The part of the busy cache (busy-cache.ts) this module uses. */
export interface BusyCacheLike {
  get(
    key: { agentId: string; range: Interval },
    load: () => Promise<Interval[]>,
  ): Promise<Interval[]>;
  invalidate(agentId: string): void;
}

export interface AgentCalendarsDeps {
  store: AgentStore;
  clock: Clock;
  logger: Logger;
  /** Absent when TOKEN_ENCRYPTION_KEY is not set: only local calendars then. */
  cipher: TokenCipher | undefined;
  clients: { local: CalendarClient; google?: CalendarClient; microsoft?: CalendarClient };
  busyCache: BusyCacheLike;
}

export interface AgentCalendars {
  /** Busy times of the agent's calendar; cached briefly unless `fresh` (the booking's recheck). */
  busy(agent: Agent, range: Interval, options?: { fresh?: boolean }): Promise<Interval[]>;
  createEvent(agent: Agent, event: CalendarEventInput): Promise<CalendarEventResult>;
  updateEvent(
    agent: Agent,
    eventId: string,
    event: CalendarEventInput,
  ): Promise<CalendarEventResult>;
  cancelEvent(agent: Agent, eventId: string): Promise<void>;
  /** The event as it is now; undefined when the agent's provider cannot read one back. */
  getEvent(agent: Agent, eventId: string): Promise<CalendarEventResult | undefined>;
  /**
   * Best effort, never throws: removes an event a failed create may have made after all.
   * Returns false when the provider cannot look the event up.
   */
  cancelEventOfMeeting(agent: Agent, meetingId: string): Promise<boolean>;
}

/**
 * Each agent's calendar, whatever the provider: decrypts the refresh token for the call (it
 * exists in clear only for that call), stores a rotated one encrypted, and on a revoked grant
 * marks the calendar disconnected (the agent leaves routing and the admin API shows why) before
 * passing the error on. Fail closed: an agent whose calendar cannot be read is not offered.
 */
export function createAgentCalendars(deps: AgentCalendarsDeps): AgentCalendars {
  const clientOf = (agent: Agent): CalendarClient => {
    const client = deps.clients[agent.calendar.provider];
    if (client === undefined) {
      throw new AppError(
        'CALENDAR_PROVIDER_NOT_CONFIGURED',
        `Agent ${agent.id} uses ${agent.calendar.provider}, which is not configured on this service`,
        { httpStatus: 503 },
      );
    }
    return client;
  };

  const accessOf = (agent: Agent): CalendarAccess => {
    const { provider, encryptedRefreshToken, calendarId } = agent.calendar;
    if (provider === 'local') return { agentId: agent.id, refreshToken: '' };
    if (deps.cipher === undefined || encryptedRefreshToken === undefined) {
      throw new CalendarGrantError(provider, 'no stored grant: connect the calendar again');
    }
    const context = tokenContext(agent.id, provider);
    let refreshToken: string;
    try {
      refreshToken = deps.cipher.decrypt(encryptedRefreshToken, context);
    } catch (error) {
      // Sealed with a key that is not configured (a rotation without TOKEN_ENCRYPTION_KEY_PREVIOUS,
      // a typo): a configuration problem, fixed by fixing the configuration. Not a lost grant,
      // so nothing is marked in the store; the agent is not offered until then.
      throw new AppError(
        'CALENDAR_GRANT_UNREADABLE',
        `The stored ${provider} grant of agent ${agent.id} cannot be decrypted: check TOKEN_ENCRYPTION_KEY (and _PREVIOUS)`,
        { httpStatus: 503, retryable: false, cause: error },
      );
    }
    return {
      agentId: agent.id,
      refreshToken,
      ...(calendarId === undefined ? {} : { calendarId }),
      onRefreshTokenRotated: async (refreshToken) => {
        const sealed = deps.cipher!.encrypt(refreshToken, context);
        // Only over the grant this call used: the agent may have reconnected meanwhile.
        await deps.store.updateAgent(agent.id, (current) =>
          current.calendar.encryptedRefreshToken === encryptedRefreshToken
            ? { ...current, calendar: { ...current.calendar, encryptedRefreshToken: sealed } }
            : current,
        );
      },
    };
  };

  async function guarded<T>(
    agent: Agent,
    work: (client: CalendarClient, access: CalendarAccess) => Promise<T>,
  ): Promise<T> {
    try {
      return await work(clientOf(agent), accessOf(agent));
    } catch (error) {
      if (error instanceof CalendarGrantError) await markDisconnected(agent, error.message);
      throw error;
    }
  }

  async function markDisconnected(agent: Agent, reason: string): Promise<void> {
    deps.busyCache.invalidate(agent.id);
    const now = deps.clock.now();
    await deps.store
      .updateAgent(agent.id, (current) =>
        // Already marked, or reconnected since this call read the agent: leave it.
        current.calendar.status === 'disconnected' ||
        current.calendar.encryptedRefreshToken !== agent.calendar.encryptedRefreshToken
          ? current
          : {
              ...current,
              updatedAt: now,
              calendar: {
                ...current.calendar,
                status: 'disconnected',
                disconnectedAt: now,
                disconnectedReason: reason.slice(0, 500),
              },
            },
      )
      .catch((error: unknown) =>
        deps.logger.error(
          { err: error, agentId: agent.id },
          'could not mark calendar disconnected',
        ),
      );
    deps.logger.warn(
      { agentId: agent.id, provider: agent.calendar.provider, reason },
      'calendar grant revoked or expired: agent taken out of routing until they reconnect',
    );
  }

  return {
    busy(agent, range, options = {}) {
      if (agent.calendar.provider === 'local') return Promise.resolve([]);
      const load = () => guarded(agent, (client, access) => client.getBusy(access, range));
      if (options.fresh === true) {
        deps.busyCache.invalidate(agent.id);
        return load();
      }
      return deps.busyCache.get({ agentId: agent.id, range }, load);
    },
    async createEvent(agent, event) {
      const result = await guarded(agent, (client, access) => client.createEvent(access, event));
      deps.busyCache.invalidate(agent.id);
      return result;
    },
    async updateEvent(agent, eventId, event) {
      const result = await guarded(agent, (client, access) =>
        client.updateEvent(access, eventId, event),
      );
      deps.busyCache.invalidate(agent.id);
      return result;
    },
    async cancelEvent(agent, eventId) {
      await guarded(agent, (client, access) => client.cancelEvent(access, eventId));
      deps.busyCache.invalidate(agent.id);
    },
    getEvent(agent, eventId) {
      return guarded(agent, (client, access) =>
        client.getEvent === undefined
          ? Promise.resolve(undefined)
          : client.getEvent(access, eventId),
      );
    },
    async cancelEventOfMeeting(agent, meetingId) {
      try {
        const done = await guarded(agent, async (client, access) => {
          if (client.cancelEventOfMeeting === undefined) return false;
          await client.cancelEventOfMeeting(access, meetingId);
          return true;
        });
        deps.busyCache.invalidate(agent.id);
        return done;
      } catch (error) {
        deps.logger.warn(
          { err: error, agentId: agent.id, meetingId },
          'stray calendar event not removed',
        );
        return false;
      }
    },
  };
}
