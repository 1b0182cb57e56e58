import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { openJourney, type KnownLead } from '../helpers/conversation-journey.js';
import { driveJourney, newVisitorContext, useJourneyBrowser } from '../helpers/journey-visitor.js';
import type { JourneyService } from '../helpers/journey-service.js';
import { shot } from '../helpers/widget-flow-page.js';

/**
 * Issue 11's "Done when", second half: account routing (`PUT /api/routing/accounts`, text/csv
 * `match,agentId`, tried before the rotation; the decision's `rule: 'account'` and
 * `account: { match, by }`) and captured notifications (`GET /api/notifications?meetingId=`).
 *
 * The same journey as conversation-journey-browser.test.ts (which checks the fields, activities,
 * transcript and reports); here the booking goes to the agent of the visitor's account, and that
 * agent's booking email is captured. Each of the two features is one marked block.
 */

const { browser } = useJourneyBrowser();
let journey: JourneyService;
let lead: KnownLead;
let context: BrowserContext | undefined;

interface AgentView {
  id: string;
  name: string;
  email: string;
}

beforeAll(async () => {
  ({ journey, lead } = await openJourney());
}, 60_000);

afterAll(async () => {
  await context?.close();
  await journey?.close();
});

describe('the journey with account routing and the agent notified', () => {
  it("when the visitor's company is an account of Dana's, then the intro is booked with Dana for that account, and Dana's booking email is captured, not sent", async () => {
    const { body } = await journey.admin<{ agents: AgentView[] }>('GET', '/api/agents');
    const [chen, dana] = ['Chen Wei', 'Dana Levi'].map((name) => {
      const agent = body.agents.find((a) => a.name === name);
      if (agent === undefined) throw new Error(`no demo agent ${name}`);
      return agent;
    }) as [AgentView, AgentView];
    // Dana works Berlin hours like Chen, who comes before her in the rotation: by the rotation
    // alone Chen would get the first slot of the morning (the journey's own test sees Chen get it).
    const patched = await journey.admin('PATCH', `/api/agents/${dana.id}`, {
      timeZone: 'Europe/Berlin',
    });
    expect(patched.status).toBe(200);

    // ==================================================== ACCOUNT ROUTING
    const upload = await journey.admin(
      'PUT',
      '/api/routing/accounts',
      `match,agentId\n${lead.company},${dana.id}\n`,
    );
    expect(upload.status, JSON.stringify(upload.body)).toBeLessThan(300);
    // ========================================================================================

    context = await newVisitorContext(browser(), journey);
    const p = await context.newPage();
    const driven = await driveJourney(p, journey, lead);
    await shot(p, 'journey-account-booked');

    // ==================================================== ACCOUNT ROUTING
    expect(driven.agentName).toBe(dana.name);
    const meeting = await journey.admin<Record<string, unknown>>(
      'GET',
      `/api/meetings/${driven.meetingId}`,
    );
    expect(meeting.body).toMatchObject({
      agentId: dana.id,
      agentEmail: dana.email,
      meetingType: { id: 'intro', minutes: 15 },
      leadId: lead.id,
      // The account list keeps its matches lower-cased (matched case-insensitively).
      routing: { rule: 'account', account: { match: lead.company.toLowerCase(), by: 'company' } },
    });
    expect(meeting.body['agentId']).not.toBe(chen.id);
    // ========================================================================================

    await journey.drainOutbox();

    // ========================================= CAPTURED NOTIFICATIONS
    const listed = await journey.admin<{ notifications: Array<Record<string, unknown>> }>(
      'GET',
      `/api/notifications?meetingId=${encodeURIComponent(driven.meetingId)}`,
    );
    expect(listed.status).toBe(200);
    const toAgent = listed.body.notifications.filter((n) => n['kind'] === 'agent-booked');
    expect(toAgent).toEqual([
      expect.objectContaining({
        meetingId: driven.meetingId,
        to: dana.email,
        subject: expect.any(String),
        text: expect.stringContaining(lead.email),
      }),
    ]);
    // Nothing went to the agent whom the rotation alone would have picked.
    expect(JSON.stringify(listed.body.notifications)).not.toContain(chen.email);
    // ========================================================================================
  }, 60_000);
});
