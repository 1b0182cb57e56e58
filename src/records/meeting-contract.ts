import { IANAZone } from 'luxon';
import { z } from 'zod';
import { audienceConditionSchema } from './chat-targeting.js';

/**
 * The shapes of agents, meetings and routing rules: admin API bodies, store records and public
 * booking bodies, with their types inferred. Dynamic Chat's agent settings (marketo-facts.md
 * §7; research/meetings-chat-peers.md §3): one calendar per agent, a time zone, weekly blocks
 * (several a day), a meeting duration and a buffer after meetings.
 */

export const timeZoneSchema = z.string().refine((zone) => IANAZone.isValidZone(zone), {
  message: 'must be an IANA time zone, e.g. Europe/Berlin',
});

/** A BCP 47 language tag (en, fr-CA, ja), stored in its canonical form. */
export const localeSchema = z
  .string()
  .trim()
  .max(35)
  .transform((tag, ctx) => {
    try {
      const canonical = Intl.getCanonicalLocales(tag)[0];
      if (canonical !== undefined) return canonical;
    } catch {
      // Not a tag: reported below.
    }
    ctx.addIssue({ code: 'custom', message: 'must be a language tag, e.g. en, fr-CA or ja' });
    return z.NEVER;
  });

const timeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:mm (00:00 to 24:00)');

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const weekdaySchema = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof weekdaySchema>;

/** A working block in the agent's own time zone, e.g. Monday 09:00–12:00. */
export const availabilityBlockSchema = z
  .object({ day: weekdaySchema, start: timeOfDay, end: timeOfDay })
  .refine((block) => block.start < block.end, {
    message: 'start must be before end',
    path: ['end'],
  });
export type AvailabilityBlock = z.infer<typeof availabilityBlockSchema>;

export const calendarConnectionSchema = z.object({
  provider: z.enum(['local', 'google', 'microsoft']),
  /**
   * `connected`: usable. `disconnected`: the grant was revoked or expired; the agent is out of
   * routing until they reconnect. The local calendar is always connected.
   */
  status: z.enum(['connected', 'disconnected']),
  /** Which calendar (Google calendar id, Graph calendar id); the primary/default when absent. */
  calendarId: z.string().optional(),
  accountEmail: z.string().optional(),
  connectedAt: z.number().optional(),
  disconnectedAt: z.number().optional(),
  disconnectedReason: z.string().optional(),
  /** AES-256-GCM ciphertext of the refresh token (src/calendar/token-cipher.ts); never in clear. */
  encryptedRefreshToken: z.string().optional(),
});
export type CalendarConnection = z.infer<typeof calendarConnectionSchema>;

/** A meeting length an agent offers under its own name. */
export const meetingTypeSchema = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, { message: 'ids are 1-40 letters, digits, _ or -' }),
  name: z.string().trim().min(1).max(100),
  minutes: z.number().int().min(5).max(480),
});
export type MeetingType = z.infer<typeof meetingTypeSchema>;

/** An instant as epoch ms, given as such or as an ISO 8601 date-time with an offset. */
const instantMs = z.union(
  [
    z.number().int().nonnegative(),
    z.iso.datetime({ offset: true }).transform((iso) => Date.parse(iso)),
  ],
  { error: 'must be epoch milliseconds or an ISO 8601 date-time with offset' },
);

const agentFields = {
  name: z.string().trim().min(1).max(200),
  email: z
    .email()
    .max(254)
    .transform((email) => email.toLowerCase()),
  timeZone: timeZoneSchema,
  availability: z.array(availabilityBlockSchema).max(70),
  meetingMinutes: z.number().int().min(5).max(480),
  bufferAfterMinutes: z.number().int().min(0).max(240),
  minimumNoticeMinutes: z
    .number()
    .int()
    .min(0)
    .max(60 * 24 * 30),
  active: z.boolean(),
  /** Groups that routing rules can target, e.g. `enterprise`, `emea`. */
  groups: z.array(z.string().trim().min(1).max(100)).max(20),
  /** Ask the provider for a Meet/Teams link. */
  conferencing: z.boolean(),
  /**
   * Weighted round robin: an agent of weight 2 takes two turns to a weight-1 agent's one
   * (src/routing/). 1 when absent; 0 keeps the agent out of the rotation.
   */
  weight: z.number().int().min(0).max(100),
  /** Caps on active meetings starting on one day / in one ISO week, in the agent's time zone. */
  maxMeetingsPerDay: z.number().int().min(1).max(100).nullable(),
  maxMeetingsPerWeek: z.number().int().min(1).max(500).nullable(),
  /**
   * Out of office: out of the rotation without losing their place. Epoch ms (an ISO 8601
   * date-time with offset is accepted and stored as epoch ms), end exclusive.
   */
  outOfOffice: z
    .array(
      z
        .object({
          start: instantMs,
          end: instantMs,
          note: z.string().trim().max(200).optional(),
        })
        .refine((period) => period.start < period.end, {
          message: 'start must be before end',
          path: ['end'],
        }),
    )
    .max(50),
  /** The language of this agent's notification emails, e.g. de; English when absent. */
  locale: localeSchema.optional(),
  /** Buffer kept free before each meeting (the buffer after is bufferAfterMinutes). */
  bufferBeforeMinutes: z.number().int().min(0).max(240),
  /**
   * Meeting types this agent offers, e.g. `intro` "15-minute intro"; a booking names one by id.
   * Empty: one type, `meetingMinutes` long.
   */
  meetingTypes: z
    .array(meetingTypeSchema)
    .max(10)
    // Checked here too (not only with the other agents, meeting-types.ts) so that a body's
    // duplicate ids are named in the same answer as its other bad fields.
    .superRefine((types, ctx) => {
      const seen = new Set<string>();
      for (const [index, type] of types.entries()) {
        if (seen.has(type.id)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'id'],
            message: `${type.id} is listed twice: ids are unique per agent`,
          });
        }
        seen.add(type.id);
      }
    }),
};

/** Body of POST /api/agents: everything but name and email has a sensible default. */
export const agentInputSchema = z.object({
  ...agentFields,
  timeZone: agentFields.timeZone.default('UTC'),
  availability: agentFields.availability.default(() =>
    (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({
      day,
      start: '09:00',
      end: '17:00',
    })),
  ),
  meetingMinutes: agentFields.meetingMinutes.default(30),
  bufferAfterMinutes: agentFields.bufferAfterMinutes.default(0),
  minimumNoticeMinutes: agentFields.minimumNoticeMinutes.default(60),
  active: agentFields.active.default(true),
  groups: agentFields.groups.default(() => []),
  conferencing: agentFields.conferencing.default(false),
  weight: agentFields.weight.default(1),
  maxMeetingsPerDay: agentFields.maxMeetingsPerDay.default(null),
  maxMeetingsPerWeek: agentFields.maxMeetingsPerWeek.default(null),
  outOfOffice: agentFields.outOfOffice.default(() => []),
  bufferBeforeMinutes: agentFields.bufferBeforeMinutes.default(0),
  meetingTypes: agentFields.meetingTypes.default(() => []),
});
export type AgentInput = z.input<typeof agentInputSchema>;

/** Body of PATCH /api/agents/:id. */
export const agentPatchSchema = z.object(agentFields).partial().strict();

export const agentSchema = z.object({
  id: z.string(),
  ...agentFields,
  // Agents stored before these fields existed have none: read them as weight 1, no caps, no
  // out-of-office, no buffer before, no meeting types (src/routing/, src/meetings/).
  weight: agentFields.weight.optional(),
  maxMeetingsPerDay: agentFields.maxMeetingsPerDay.optional(),
  maxMeetingsPerWeek: agentFields.maxMeetingsPerWeek.optional(),
  outOfOffice: agentFields.outOfOffice.optional(),
  bufferBeforeMinutes: agentFields.bufferBeforeMinutes.optional(),
  meetingTypes: agentFields.meetingTypes.optional(),
  calendar: calendarConnectionSchema,
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Agent = z.infer<typeof agentSchema>;

/* ------------------------------------------------------------------------------------------ */
/* Routing rules: conditions on lead attributes select an agent or a group, by priority.       */
/* ------------------------------------------------------------------------------------------ */

export const routingTargetSchema = z.union([
  z.object({ agentIds: z.array(z.string().min(1)).min(1).max(100) }).strict(),
  z.object({ group: z.string().trim().min(1).max(100) }).strict(),
]);
export type RoutingTarget = z.infer<typeof routingTargetSchema>;

export const routingRuleInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  /** Higher first; ties by creation. */
  priority: z.number().int().min(0).max(1000).default(100),
  /** All must hold (on the visitor's synced lead fields). */
  conditions: z.array(audienceConditionSchema).min(1).max(20),
  target: routingTargetSchema,
  enabled: z.boolean().default(true),
});
export const routingRuleSchema = routingRuleInputSchema.extend({
  id: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type RoutingRule = z.infer<typeof routingRuleSchema>;

/** Why an agent was chosen; stored on every assignment and meeting. */
export const routingDecisionSchema = z.object({
  /** `account`, `rule:<id>`, `owner`, `round-robin`, `fallback-round-robin` (rule pool had nobody free), `repeat`, `agent` (asked for). */
  rule: z.string(),
  ruleName: z.string().optional(),
  /** The rotation pool the turn was taken in: `default`, `rule:<id>`. */
  pool: z.string(),
  /**
   * Agents passed over, and why: `busy`, `disconnected`, `inactive`, `out-of-office`,
   * `daily-cap`, `weekly-cap`, `weight-0`.
   */
  skipped: z.array(z.object({ agentId: z.string(), reason: z.string() })),
  /** `account` when account routing chose the agent: the entry that matched. */
  account: z.object({ match: z.string(), by: z.enum(['domain', 'company']) }).optional(),
  /** The chosen agent's weight when the rotation was weighted. */
  weight: z.number().optional(),
  /**
   * A reschedule gave the meeting to this decision's agent: who had it, and why they could not
   * keep it (`busy`, `booked`, `outside-hours`, … as `skipped` reasons).
   */
  reassignedFrom: z.object({ agentId: z.string(), reason: z.string() }).optional(),
  /** The pool's pointer before this turn, so a hold given up can put it back. */
  previousPointer: z.string().optional(),
  /** Who followed that pointer's agent then (src/routing/round-robin.ts), for the same purpose. */
  previousFollowers: z.array(z.string()).optional(),
  /** A weighted pool's seats before this turn (routing/weighted-rotation.ts), for the same purpose. */
  previousSeats: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** The pool's turn number this meeting took (1, 2, …), for the same purpose. */
  turn: z.number().int().positive().optional(),
  /**
   * A widget booking's visitor: `cookie` (Marketo associates their Munchkin cookie with the
   * lead: owner and rules on lead fields were used) or `typed` (not proven: both were skipped and
   * the visitor was routed as an anonymous one). Absent for meetings booked before this field.
   */
  identity: z.enum(['cookie', 'typed']).optional(),
});
export type RoutingDecision = z.infer<typeof routingDecisionSchema>;

/* ------------------------------------------------------------------------------------------ */
/* Meetings.                                                                                   */
/* ------------------------------------------------------------------------------------------ */

export const MEETING_STATUSES = [
  'booked',
  'rescheduled',
  'cancelled',
  'completed',
  'no-show',
] as const;
export const meetingStatusSchema = z.enum(MEETING_STATUSES);
export type MeetingStatus = z.infer<typeof meetingStatusSchema>;

export const meetingSchema = z.object({
  id: z.string(),
  /** `pending` while the calendar event is being made (holds the slot); then `booked`. */
  status: z.union([meetingStatusSchema, z.literal('pending')]),
  agentId: z.string(),
  agentName: z.string(),
  agentEmail: z.string(),
  start: z.number(),
  end: z.number(),
  /** The slot is held until `end + bufferAfterMinutes` (the agent's buffer at booking time). */
  bufferAfterMs: z.number().int().nonnegative(),
  /** The slot is held from `start - bufferBeforeMs`; absent is 0. */
  bufferBeforeMs: z.number().int().nonnegative().optional(),
  /** The meeting type booked (agent meetingTypes id), when the agent offers types. */
  meetingType: z.object({ id: z.string(), name: z.string(), minutes: z.number() }).optional(),
  visitor: z.object({
    email: z.string(),
    name: z.string().optional(),
    timeZone: z.string().optional(),
    /** The visitor's language (BCP 47, e.g. fr-CA): their reminder's language and formats. */
    locale: z.string().optional(),
    anonymousId: z.string().optional(),
  }),
  leadId: z.number().int().positive().optional(),
  dialogueId: z.string().optional(),
  conversationId: z.string().optional(),
  routing: routingDecisionSchema,
  provider: z.enum(['local', 'google', 'microsoft']),
  providerEventId: z.string().optional(),
  meetingUrl: z.string().optional(),
  /**
   * The booking's Marketo activity (#1) waits for a Meet link still being made (meeting-link.ts).
   * Whichever write clears it, the link check or the meeting's next change, enqueues #1 with it.
   */
  bookedActivityPending: z.literal(true).optional(),
  /**
   * A reschedule is giving the meeting to another agent (reassign-meeting.ts): set by the write
   * that moves it, dropped once the new agent's event is confirmed and the old agent's event
   * removed. `from` is the meeting as it was (what the move changed), so the meetings' job can
   * finish a move a crash interrupted, or put the meeting back (reassign-recovery.ts). While set,
   * no other change is taken (meeting-status.ts).
   */
  reassigning: z
    .object({
      since: z.number(),
      from: z.object({
        status: meetingStatusSchema,
        agentId: z.string(),
        agentName: z.string(),
        agentEmail: z.string(),
        start: z.number(),
        end: z.number(),
        bufferAfterMs: z.number().int().nonnegative(),
        bufferBeforeMs: z.number().int().nonnegative().optional(),
        provider: z.enum(['local', 'google', 'microsoft']),
        providerEventId: z.string().optional(),
        meetingUrl: z.string().optional(),
        routing: routingDecisionSchema,
      }),
    })
    .optional(),
  /** The visitor's idempotency key: the same key returns this meeting. */
  idempotencyKey: z.string().optional(),
  /** SHA-256 (hex) of the visitor's manage token; the token itself is given once. */
  manageTokenHash: z.string(),
  history: z.array(
    z.object({
      status: z.union([meetingStatusSchema, z.literal('pending')]),
      at: z.number(),
      by: z.enum(['visitor', 'admin', 'system']),
      start: z.number().optional(),
      end: z.number().optional(),
      note: z.string().optional(),
    }),
  ),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Meeting = z.infer<typeof meetingSchema>;

/** Statuses that hold the agent's time. */
export const ACTIVE_MEETING_STATUSES: ReadonlySet<Meeting['status']> = new Set([
  'pending',
  'booked',
  'rescheduled',
]);

export const isActiveMeeting = (meeting: Pick<Meeting, 'status'>): boolean =>
  ACTIVE_MEETING_STATUSES.has(meeting.status);
