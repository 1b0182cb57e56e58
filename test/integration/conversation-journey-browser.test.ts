import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import {
  JOURNEY_DAY,
  PHONE,
  PLAYBOOK,
  openJourney,
  type KnownLead,
} from '../helpers/conversation-journey.js';
import { driveJourney, newVisitorContext, useJourneyBrowser } from '../helpers/journey-visitor.js';
import {
  activityAttributes,
  changedFields,
  chatActivities,
  meetingActivities,
  sandboxActivities,
} from '../helpers/journey-sandbox.js';
import type { JourneyService } from '../helpers/journey-service.js';
import { shot, transcript } from '../helpers/widget-flow-page.js';

/**
 * Issue 11, "Done when", first bullet, end to end: the service built by its composition root in
 * sandbox mode (test/helpers/journey-service.ts), a visitor Marketo knows by cookie going through
 * a dialogue made with the admin API in Chromium (phone and picklist answers into lead fields, a
 * branch on the lead's industry, a document, a 15-minute meeting type), then what reached the
 * sandbox Marketo once the outbox ran, the transcript, and the day's reports. Account routing
 * and the agent's notification: conversation-journey-routing-browser.pending.ts, until they land.
 */

const { browser } = useJourneyBrowser();
let journey: JourneyService;
let lead: KnownLead;
let dialogueId: string;
let context: BrowserContext | undefined;

beforeAll(async () => {
  ({ journey, lead, dialogueId } = await openJourney());
}, 60_000);

afterAll(async () => {
  await context?.close();
  await journey?.close();
});

describe('a known visitor qualifies in a dialogue and books a 15-minute intro', () => {
  it('when they answer, open the document and book in Chromium, then Marketo gets the fields and activities, and the transcript and the reports of the day tell the story', async () => {
    // ------------------------------------------------------------ the visitor, in the browser
    context = await newVisitorContext(browser(), journey);
    const p = await context.newPage();
    const errors: string[] = [];
    p.on('pageerror', (error) => errors.push(error.message));
    const driven = await driveJourney(p, journey, lead);
    await shot(p, 'journey-booked');
    const seen = await transcript(p);
    expect(seen.slice(0, 7)).toEqual([
      `bot: Hi ${lead.firstName}! Two quick questions.`,
      'bot: What number can we call you on?',
      `visitor: ${PHONE}`,
      'bot: What is your role?',
      'visitor: Marketing',
      // The condition card took the branch of the lead's own industry.
      `bot: Here is how ${lead.industry} teams use Acme.`,
      'bot: Shall we talk for 15 minutes?',
    ]);
    expect(seen.at(-1)).toBe('bot: Talk soon!');
    const card = p.locator('.meeting');
    expect(await card.getByText('15-minute intro', { exact: true }).count()).toBe(1);
    expect(await card.getByText(`With ${driven.agentName}`).count()).toBe(1);
    expect(seen).not.toContain('bot: Thanks, we will be in touch.');
    expect(errors).toEqual([]);

    // ----------------------------------------------------- the meeting, as the service holds it
    const meeting = await journey.admin<Record<string, unknown>>(
      'GET',
      `/api/meetings/${driven.meetingId}`,
    );
    expect(meeting.body).toMatchObject({
      status: 'booked',
      agentName: driven.agentName,
      meetingType: { id: 'intro', minutes: 15 },
      durationMinutes: 15,
      startIso: new Date(driven.start).toISOString(),
      leadId: lead.id,
      dialogueId,
      conversationId: driven.conversationId,
      visitor: { email: lead.email, timeZone: 'Europe/Berlin' },
      routing: { rule: 'round-robin', identity: 'cookie' },
    });

    // --------------------------------------------- Marketo, before and after the outbox runs
    expect(changedFields(await sandboxActivities(journey), lead.id)).toEqual({});
    expect(await journey.drainOutbox()).toBeGreaterThan(0);
    const activities = await sandboxActivities(journey);

    // The answers, upserted into the lead's fields (Change Data Value, and the lead as it is).
    expect(changedFields(activities, lead.id)).toEqual({
      phone: PHONE,
      title: 'Marketing Operations',
    });
    const { result } = await journey.marketo<{ result: Array<Record<string, unknown>> }>(
      'GET',
      `/rest/v1/lead/${lead.id}.json?fields=email,phone,title,industry`,
    );
    expect(result[0]).toEqual({
      id: lead.id,
      email: lead.email,
      phone: PHONE,
      title: 'Marketing Operations',
      industry: lead.industry,
    });

    // The chat activities, each once, on the visitor's lead, with the transcript link.
    const chat = await chatActivities(journey);
    expect(chat.map((a) => a.leadId)).toEqual(chat.map(() => lead.id));
    const attributes = chat.map(activityAttributes);
    expect(attributes.map((a) => a['event'])).toEqual([
      'triggered',
      'engaged',
      'answered',
      'answered',
      'document-opened',
      'email-given',
      'meeting-booked',
      'completed',
    ]);
    expect(new Set(attributes.map((a) => a['eventId'])).size).toBe(attributes.length);
    for (const a of attributes) {
      expect(a).toMatchObject({
        dialogueId,
        conversationId: driven.conversationId,
        identity: 'cookie',
        pageUrl: `${journey.base}/demo`,
      });
      expect(a['transcriptUrl']).toMatch(
        new RegExp(
          `^${journey.base}/transcripts/${driven.conversationId}\\?expires=\\d+&signature=`,
        ),
      );
    }
    const byEvent = (event: string) => attributes.find((a) => a['event'] === event)!;
    expect(byEvent('document-opened')['value']).toBe(`${PLAYBOOK.title} <${PLAYBOOK.url}>`);
    expect(byEvent('meeting-booked')['value']).toBe(driven.meetingId);

    // The meeting activity, once, for the 15-minute intro with its agent.
    const meetings = await meetingActivities(journey);
    expect(meetings.map((a) => [a.leadId, activityAttributes(a)])).toEqual([
      [
        lead.id,
        expect.objectContaining({
          eventId: `meeting:${driven.meetingId}#1`,
          status: 'booked',
          startTime: new Date(driven.start).toISOString(),
          durationMinutes: 15,
          agentName: driven.agentName,
          routingRule: 'round-robin',
          dialogueId,
        }),
      ],
    ]);

    // The activity's link opens the conversation, read only, for whoever has the link.
    const page = await fetch(String(byEvent('completed')['transcriptUrl']));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(PHONE);
    expect(html).toContain(`Meeting booked with ${driven.agentName}`);

    // ---------------------------------------------------------------- the transcript (admin)
    const read = await journey.admin<{ steps: Array<Record<string, unknown>> }>(
      'GET',
      `/api/conversations/${driven.conversationId}/transcript`,
    );
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      conversationId: driven.conversationId,
      dialogue: { id: dialogueId, name: 'Qualify and book an intro', version: 1 },
      visitor: { email: lead.email },
      language: 'en',
      outcome: 'booked',
      texts: 'version',
    });
    const steps = read.body.steps.map(({ at: _at, ...step }) => step);
    expect(steps.filter((s) => s['kind'] !== 'card')).toEqual([
      { kind: 'triggered', pageUrl: `${journey.base}/demo` },
      { kind: 'engaged', pageUrl: `${journey.base}/demo` },
      {
        kind: 'answered',
        cardId: 'phone',
        answers: [{ key: 'phone', label: 'What number can we call you on?', value: PHONE }],
      },
      {
        kind: 'answered',
        cardId: 'role',
        answers: [{ key: 'role', label: 'What is your role?', value: 'Marketing Operations' }],
      },
      { kind: 'document-opened', cardId: 'playbook', title: PLAYBOOK.title, url: PLAYBOOK.url },
      { kind: 'email-given', email: lead.email },
      {
        kind: 'meeting-booked',
        meetingId: driven.meetingId,
        meeting: {
          start: new Date(driven.start).toISOString(),
          end: new Date(Date.parse(driven.start) + 15 * 60_000).toISOString(),
          agentName: driven.agentName,
          status: 'booked',
        },
      },
      { kind: 'completed', pageUrl: `${journey.base}/demo` },
    ]);
    // Every card the visitor saw, in order; never the other branch's.
    expect(steps.filter((s) => s['kind'] === 'card').map((s) => s['cardId'])).toEqual([
      'hello',
      'phone',
      'role',
      'playbook',
      'meet',
      'bye',
    ]);

    // ------------------------------------------------------------- the reports of that day
    const dialogues = await journey.admin<{ dialogues: Array<Record<string, unknown>> }>(
      'GET',
      `/api/reports/dialogues?from=${JOURNEY_DAY}&to=${JOURNEY_DAY}`,
    );
    expect(dialogues.status).toBe(200);
    expect(dialogues.body.dialogues.find((d) => d['dialogueId'] === dialogueId)).toMatchObject({
      dialogueName: 'Qualify and book an intro',
      triggered: 1,
      engaged: 1,
      completed: 1,
      peopleAcquired: 1,
      meetingsBooked: 1,
      conversions: 1,
      engagementRate: 1,
      completionRate: 1,
      conversionRate: 1,
      days: [expect.objectContaining({ day: JOURNEY_DAY, triggered: 1, meetingsBooked: 1 })],
    });
    const csv = await journey.admin<string>(
      'GET',
      `/api/reports/dialogues?from=${JOURNEY_DAY}&to=${JOURNEY_DAY}&format=csv`,
    );
    expect(csv.contentType).toMatch(/^text\/csv/);
    expect(csv.body).toContain(`${dialogueId},Qualify and book an intro,`);

    const agents = await journey.admin<{ agents: Array<Record<string, unknown>> }>(
      'GET',
      `/api/reports/agents?from=${JOURNEY_DAY}&to=${JOURNEY_DAY}`,
    );
    expect(agents.status).toBe(200);
    const booked = agents.body.agents.filter((a) => a['booked'] !== 0);
    expect(booked).toEqual([
      expect.objectContaining({ agentName: driven.agentName, booked: 1, held: 0, noShows: 0 }),
    ]);
  }, 60_000);
});
