import request from 'supertest';
import { describe, expect, it } from 'vitest';
import {
  agentRecord,
  createDialogueThroughApi as create,
  createTestApp,
  draft,
} from '../helpers/chat-admin-app.js';

/**
 * The admin API's publish and draft checks against this instance: synced fields, tokens,
 * agents, and target patterns (src/chat/publish-references.ts, publish-validation.ts).
 */
describe('chat admin API: what a publish or a draft save refuses or warns of', () => {
  it('when the draft reads a field that is not synced, shows {{company.name}} and books with an agent that does not exist, then publishing answers 400 naming each and nothing is published', async () => {
    const { app, store, errors } = createTestApp();
    const silent = draft({
      audience: {
        visitors: 'known',
        match: 'all',
        groups: [
          { match: 'all', conditions: [{ field: 'score', operator: 'greaterThan', value: 50 }] },
        ],
      },
      cards: [
        {
          id: 'hi',
          type: 'message',
          text: 'Hi {{lead.nickname}} of {{company.name}}!',
          next: 'book',
        },
        {
          id: 'book',
          type: 'booking',
          text: 'Pick',
          routing: 'agent',
          agentEmail: 'ghost@example.com',
          next: null,
        },
      ],
    });
    await create(app, silent);

    const res = await request(app).post('/api/dialogues/dlg-1/publish').expect(400);

    expect(res.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'audience.groups.0.conditions.0.field',
    });
    expect(errors[0]?.details?.issues).toEqual([
      {
        field: 'audience.groups.0.conditions.0.field',
        message: expect.stringMatching(/^score is not a synced lead field/),
      },
      {
        field: 'cards.0.text',
        message: expect.stringMatching(/^\{\{lead.nickname\}\} reads nickname/),
      },
      {
        field: 'cards.0.text',
        message: expect.stringMatching(/^\{\{company.name\}\} is not a token/),
      },
      { field: 'cards.1.agentEmail', message: expect.stringMatching(/^no agent has the email/) },
    ]);
    expect((await store.getDialogue('dlg-1'))!.published).toBeNull();
  });

  it('when a token with a default reads a field that is not synced and the booking’s agent is switched off, then it publishes and the answer warns of both', async () => {
    const { app, store } = createTestApp();
    // This app mounts the chat admin router alone: the agent goes into the store directly.
    await store.saveAgent(agentRecord('Kim Park', { active: false }));
    await create(
      app,
      draft({
        cards: [
          { id: 'hi', type: 'message', text: 'Hi {{lead.nickname:"friend"}}!', next: 'book' },
          {
            id: 'book',
            type: 'booking',
            text: 'Pick',
            routing: 'agent',
            agentEmail: 'Kim@example.com',
            next: null,
          },
        ],
      }),
    );

    const res = await request(app).post('/api/dialogues/dlg-1/publish').expect(200);

    expect(res.body).toMatchObject({ publishedNow: true, published: { version: 1 } });
    expect(res.body.warnings).toEqual([
      expect.stringMatching(
        /^cards\.0\.text: \{\{lead.nickname:"friend"\}\} reads nickname, .*: every visitor sees the default "friend"$/,
      ),
      'cards.1.agentEmail: the agent Kim Park is switched off: no times are offered until they are active',
    ]);
  });

  it.each(['post', 'put'] as const)(
    'when a draft with an impossible port and a path for a pattern is saved (%s), then one 400 lists them with every other bad field and nothing is saved',
    async (method) => {
      const { app, store, errors } = createTestApp();
      if (method === 'put') await create(app);
      const bad = {
        ...draft(),
        priority: 5000,
        pages: { include: ['https://example.com:99999/*', 'pricing'], exclude: [] },
        cards: [{ id: 'hi', type: 'message', text: '', next: null }],
      };

      const res =
        method === 'post'
          ? await request(app).post('/api/dialogues').send(bad).expect(400)
          : await request(app).put('/api/dialogues/dlg-1/draft').send(bad).expect(400);

      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'pages.include.0' });
      const issues = errors[0]?.details?.issues as Array<{ field: string; message: string }>;
      expect(issues).toEqual([
        {
          field: 'pages.include.0',
          message: 'the pattern has port 99999; a port is a number from 1 to 65535',
        },
        { field: 'pages.include.1', message: expect.stringMatching(/^the pattern "pricing"/) },
        { field: 'priority', message: expect.any(String) },
        { field: 'cards.0.text', message: expect.any(String) },
      ]);
      expect((await store.listDialogues()).map((d) => d.draft)).toEqual(
        method === 'put' ? [draft()] : [],
      );
    },
  );
});
