import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { addAgent, book, createMeetingsTestApp } from '../helpers/meetings-app.js';

/**
 * STYLE.md rule 9 on the visitor's manage links: the link's token is the authentication, so it
 * is checked before the body is read or validated. A request with a bad token gets the link's
 * one answer (404 NOT_FOUND: a malformed and an unknown link look alike, so probing teaches
 * nothing) whatever its body, never a body error that would tell a prober the route exists and
 * what it parses. A good token with a bad body still gets the body's error.
 */

/** A visitor's booked meeting: its manage path, and a well-formed path no meeting has. */
async function setUp() {
  const t = createMeetingsTestApp();
  await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
  const { body } = await book(t, {});
  const path = new URL(body.meeting.manageUrl as string).pathname;
  const unknown = `${path.slice(0, -4)}AAAA`;
  const malformed = '/chat/meetings/manage/not-a-token';
  return { t, path, badPaths: [unknown, malformed] };
}

/** Bodies each failing in its own way before any validation of their fields. */
const badBodies = [
  { what: 'malformed JSON', type: 'application/json', body: '{"start": ' },
  { what: 'an unsupported media type', type: 'application/xml', body: '<start/>' },
  { what: 'a body past the limit', type: 'application/json', body: `"${'x'.repeat(64_000)}"` },
  {
    what: 'a form past its limit',
    type: 'application/x-www-form-urlencoded',
    body: 'a='.repeat(2_000),
  },
  { what: 'valid JSON of the wrong shape', type: 'application/json', body: '{"start":"soon"}' },
];

describe('the manage links: the token is checked before the body', () => {
  it.each(badBodies)(
    'when a reschedule has a bad token and $what, then the answer is the link’s 404, not a body error',
    async ({ type, body }) => {
      const { t, badPaths } = await setUp();
      for (const path of badPaths) {
        const res = await request(t.app)
          .post(`${path}/reschedule`)
          .set('Content-Type', type)
          .send(body)
          .expect(404);
        expect(res.body.error.code).toBe('NOT_FOUND');
      }
    },
  );

  it.each(badBodies)(
    'when a cancel has a bad token and $what, then the answer is the link’s 404',
    async ({ type, body }) => {
      const { t, badPaths } = await setUp();
      for (const path of badPaths) {
        const res = await request(t.app)
          .post(`${path}/cancel`)
          .set('Content-Type', type)
          .send(body)
          .expect(404);
        expect(res.body.error.code).toBe('NOT_FOUND');
      }
    },
  );

  it('when a reschedule has a good token and a bad body, then the body’s error comes, and the meeting is unchanged', async () => {
    const { t, path } = await setUp();
    const malformed = await request(t.app)
      .post(`${path}/reschedule`)
      .set('Content-Type', 'application/json')
      .send('{"start": ')
      .expect(400);
    expect(malformed.body.error.code).toBe('INVALID_JSON');
    const wrongShape = await request(t.app)
      .post(`${path}/reschedule`)
      .send({ start: 'soon' })
      .expect(400);
    expect(wrongShape.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'start' });
    await request(t.app)
      .post(`${path}/reschedule`)
      .set('Content-Type', 'application/xml')
      .send('<start/>')
      .expect(415);
    const meeting = await request(t.app).get(path).set('Accept', 'application/json').expect(200);
    expect(meeting.body.meeting.status).toBe('booked');
  });
});
