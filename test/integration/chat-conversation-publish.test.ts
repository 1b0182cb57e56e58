import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { DialogueContent } from '../../src/records/chat-dialogue.js';
import { QUALIFY, openConversationService } from '../helpers/conversation-service.js';
import { ADMIN_AUTH } from '../helpers/test-service.js';

/** QUALIFY with every kind of mistake a marketer can make in the new cards. */
function broken(): DialogueContent {
  const content = structuredClone(QUALIFY);
  const card = (id: string) => content.cards.find((c) => c.id === id)!;
  const who = card('who');
  if (who.type === 'condition') {
    who.branches[0]!.conditions.push({
      source: 'lead',
      field: 'leadScore',
      operator: 'greaterThan',
      value: 'lots',
    });
    who.branches[1]!.next = 'nowhere';
  }
  const route = card('route');
  if (route.type === 'condition') {
    route.branches[0]!.conditions.push({
      source: 'answer',
      answer: 'budget',
      operator: 'isNotEmpty',
    });
  }
  const phone = card('phone');
  if (phone.type === 'input') phone.field = 'favouriteColour';
  const sector = card('sector');
  if (sector.type === 'input' && sector.answer.kind === 'picklist') {
    sector.answer.options.push({ label: 'software' });
  }
  const details = card('details');
  if (details.type === 'form') {
    details.fields[0]!.key = 'guide';
    details.fields[2]!.answer = { kind: 'number', min: 10, max: 1, integer: false };
    details.fields[1]!.field = 'createdAt';
  }
  content.translations = {
    fr: {
      ghost: { text: 'Fantôme' },
      sector: { labels: ['Logiciel', 'Commerce', 'Logiciel 2', 'Autre'] },
      hi: { text: 'Bonjour {{lead.surnom}} {{lead.firstName:"toi}}' },
    },
  };
  return content;
}

describe('publishing conversation cards through the admin API', () => {
  it('when the draft has dangling branches, colliding keys, unknown answers and fields, duplicate options, an empty number range and bad translations, then 400 names every path and nothing is published', async () => {
    const { app, publish, dialogueId } = await openConversationService(broken());
    const res = await publish().expect(400);
    const issues = (res.body.error.details.issues as Array<{ field: string }>).map((i) => i.field);
    expect(issues.sort()).toEqual(
      [
        'cards.1.branches.1.next',
        'cards.1.branches.0.conditions.1.value',
        'cards.1.branches.0.conditions.1.field',
        'cards.6.branches.0.conditions.1.answer',
        'cards.7.fields.0.key',
        'cards.7.fields.2.answer.min',
        'cards.5.answer.options.2.label',
        'translations.fr.ghost',
        'translations.fr.sector.labels',
        // A malformed token, and one on a field that is not synced, with no default.
        'translations.fr.hi.text',
        'translations.fr.hi.text',
        'cards.4.field',
        'cards.7.fields.1.field',
      ].sort(),
    );
    const got = await request(app).get(`/api/dialogues/${dialogueId}`).set(ADMIN_AUTH).expect(200);
    expect(got.body.published).toBeNull();
  });

  it('when the draft is sound, then it publishes, Marketo is asked for its fields once, and a second publish asks nothing', async () => {
    const { publish, sandbox } = await openConversationService();
    const describeCalls = () => sandbox.stats().callsByPath['/rest/v1/leads/describe.json'] ?? 0;
    const before = describeCalls();
    const res = await publish().expect(200);
    expect(res.body.warnings).toEqual([]);
    expect(describeCalls()).toBe(before + 1);
    await publish().expect(200);
    expect(describeCalls()).toBe(before + 1);
  });

  it('when Marketo cannot be asked for its fields, then the dialogue still publishes, with a warning per captured field', async () => {
    const { publish, sandbox } = await openConversationService();
    sandbox.injectFault({ path: '/rest/v1/leads/describe.json', code: '603', times: 10 });
    const res = await publish().expect(200);
    expect(res.body.warnings).toContain(
      'cards.4.field: Marketo could not be asked whether phone is a lead field: only its name was checked',
    );
  });
});
