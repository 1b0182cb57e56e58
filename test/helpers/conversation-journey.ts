import type { DialogueContent } from '../../src/records/chat-dialogue.js';
import { openJourneyService, type JourneyService } from './journey-service.js';

/**
 * The issue-11 journey of a known visitor, shared by the browser tests that check what it leaves
 * behind (conversation-journey-browser.test.ts, and conversation-journey-routing-browser.pending.ts
 * for account routing and notifications): the service in sandbox mode, a lead of the sandbox's
 * seeded leads that Marketo knows by this browser's Munchkin cookie, and a dialogue created and
 * published through the admin API. The visitor's browser and steps: journey-visitor.ts.
 */

/** Tuesday 15 December 2026, 08:00 UTC (09:00 in Berlin): agents in Europe and Asia are in. */
export const JOURNEY_START = Date.UTC(2026, 11, 15, 8, 0, 0);
export const JOURNEY_DAY = '2026-12-15';
export const VISITOR_ZONE = 'Europe/Berlin';
/** The Munchkin cookie of the visitor's browser (`_mkto_trk`), as Munchkin writes it. */
export const MUNCHKIN_COOKIE = 'id:123-ABC-456&token:_mch-127.0.0.1-1765785600000-31337';
export const PHONE = '+49 30 1234 5678';
export const PLAYBOOK = {
  title: 'Industry playbook (PDF)',
  url: 'https://acme.example/playbook.pdf',
};

/** The seeded lead the visitor is, as the first sync copied it. */
export interface KnownLead {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  company: string;
  industry: string;
}

/**
 * Captures a phone number and a picklist answer into lead fields, branches on the known lead's
 * industry (the lead's own value: the branch must be taken), offers a document, and books the
 * agents' 15-minute intro; a visitor of another industry is only thanked.
 */
export function journeyDialogue(industry: string): DialogueContent {
  return {
    name: 'Qualify and book an intro',
    audience: { visitors: 'all', match: 'all', groups: [] },
    pages: { include: ['*'], exclude: [] },
    // Above the seeded welcome dialogue (10): this one is served on /demo.
    priority: 100,
    start: 'hello',
    cards: [
      {
        id: 'hello',
        type: 'message',
        text: 'Hi {{lead.firstName:"there"}}! Two quick questions.',
        next: 'phone',
      },
      {
        id: 'phone',
        type: 'input',
        text: 'What number can we call you on?',
        answer: { kind: 'phone' },
        field: 'phone',
        next: 'role',
      },
      {
        id: 'role',
        type: 'input',
        text: 'What is your role?',
        answer: {
          kind: 'picklist',
          // More options than the widget shows as buttons: a list to pick from.
          options: [
            { label: 'Marketing', value: 'Marketing Operations' },
            { label: 'Sales', value: 'Sales Leadership' },
            { label: 'IT', value: 'IT Management' },
            { label: 'Finance', value: 'Finance' },
            { label: 'Operations', value: 'Operations' },
            { label: 'Something else', value: 'Other' },
          ],
        },
        field: 'title',
        next: 'route',
      },
      {
        id: 'route',
        type: 'condition',
        branches: [
          {
            match: 'all',
            conditions: [
              { source: 'lead', field: 'industry', operator: 'equals', value: industry },
            ],
            next: 'playbook',
          },
        ],
        otherwise: 'thanks',
      },
      {
        id: 'playbook',
        type: 'document',
        text: `Here is how ${industry} teams use Acme.`,
        document: PLAYBOOK,
        next: 'meet',
      },
      {
        id: 'meet',
        type: 'booking',
        text: 'Shall we talk for 15 minutes?',
        routing: 'round-robin',
        meetingTypes: ['intro'],
        next: 'bye',
      },
      { id: 'bye', type: 'message', text: 'Talk soon!', next: null },
      { id: 'thanks', type: 'message', text: 'Thanks, we will be in touch.', next: null },
    ],
  };
}

/**
 * The service after its first sync, the visitor's lead (the first seeded lead with an industry
 * and a company), Marketo's association of the browser's Munchkin cookie with it (what a form
 * fill or a tracked email click does: Associate Lead), the bot without its typing pause, and the
 * journey dialogue created and published through the admin API.
 */
export async function openJourney(env: Record<string, string> = {}): Promise<{
  journey: JourneyService;
  lead: KnownLead;
  dialogueId: string;
}> {
  const journey = await openJourneyService({ startAt: JOURNEY_START, env });
  try {
    await journey.sync();
    const ids = Array.from({ length: 40 }, (_, i) => i + 1).join(',');
    const { result } = await journey.marketo<{ result: KnownLead[] }>(
      'GET',
      `/rest/v1/leads.json?filterType=id&filterValues=${ids}` +
        '&fields=email,firstName,lastName,company,industry',
    );
    const seeded = result.find((l) => l.industry && l.company && l.email && l.firstName);
    if (seeded === undefined) throw new Error('no seeded lead has an industry and a company');
    // What the visitor is known as is the local copy's (the first sync's), not Marketo's.
    const copy = await journey.admin<{ leads: KnownLead[] }>(
      'GET',
      `/api/leads?email=${encodeURIComponent(seeded.email)}`,
    );
    const lead = copy.body.leads[0];
    if (lead === undefined) throw new Error(`the first sync did not copy ${seeded.email}`);
    await journey.marketo(
      'POST',
      `/rest/v1/leads/${lead.id}/associate.json?cookie=${encodeURIComponent(MUNCHKIN_COOKIE)}`,
    );

    const look = await journey.admin<{ bot: object }>('GET', '/api/configuration');
    const quick = { ...look.body, bot: { ...look.body.bot, responseDelaySeconds: 0 } };
    expectStatus(await journey.admin('PUT', '/api/configuration', quick), 200, 'configuration');
    const created = await journey.admin<{ id: string }>(
      'POST',
      '/api/dialogues',
      journeyDialogue(lead.industry),
    );
    expectStatus(created, 201, 'create dialogue');
    const published = await journey.admin<{ warnings?: unknown[] }>(
      'POST',
      `/api/dialogues/${created.body.id}/publish`,
    );
    expectStatus(published, 200, 'publish dialogue');
    return { journey, lead, dialogueId: created.body.id };
  } catch (error) {
    await journey.close();
    throw error;
  }
}

function expectStatus(answer: { status: number; body: unknown }, status: number, what: string) {
  if (answer.status !== status) {
    throw new Error(`${what}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}
