import request from 'supertest';
import { describe, expect, it } from 'vitest';
import {
  addAgent,
  book,
  createMeetingsTestApp,
  outboxOf,
  type TestApp,
} from '../helpers/meetings-app.js';

/** Claims the meeting-activity items due and fails them, dead or for a retry. */
async function fail(t: TestApp, dead: boolean) {
  const now = t.clock.now();
  const claimed = await t.store.claimOutbox({
    now,
    limit: 10,
    leaseMs: 60_000,
    kinds: ['meeting-activity'],
  });
  for (const item of claimed) {
    await t.store.failOutbox({
      id: item.id,
      leaseToken: item.lease!.token,
      now,
      error: 'MARKETO_LEAD_NOT_FOUND: 1004 Lead not found',
      ...(dead ? { dead: true } : { retryAt: now + 60_000 }),
    });
  }
}

async function deliver(t: TestApp) {
  const now = t.clock.now();
  for (const item of await t.store.claimOutbox({
    now,
    limit: 10,
    leaseMs: 60_000,
    kinds: ['meeting-activity'],
  })) {
    await t.store.completeOutbox({ id: item.id, leaseToken: item.lease!.token, now });
  }
}

describe('GET /api/meetings/:id/write-back', () => {
  it('when a meeting was booked and cancelled, then each event shows its activity: delivered, dead, pending with its attempts and error', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const booked = await book(t, {});
    const id = booked.body.meeting.id as string;

    const first = await request(t.app).get(`/api/meetings/${id}/write-back`).expect(200);
    expect(first.body).toEqual({
      meetingId: id,
      writes: [
        {
          key: '1',
          kind: 'meeting-activity',
          event: 1,
          status: 'booked',
          state: 'pending',
          attempts: 0,
          lastError: null,
          updatedAt: expect.any(String),
        },
      ],
    });

    await deliver(t);
    await request(t.app)
      .post(`/api/meetings/${id}/status`)
      .send({ status: 'cancelled' })
      .expect(200);
    await fail(t, false);
    const retrying = await request(t.app).get(`/api/meetings/${id}/write-back`).expect(200);
    expect(retrying.body.writes).toEqual([
      expect.objectContaining({ key: '1', state: 'delivered', attempts: 1 }),
      expect.objectContaining({
        key: '2',
        event: 2,
        status: 'cancelled',
        state: 'pending',
        attempts: 1,
        lastError: 'MARKETO_LEAD_NOT_FOUND: 1004 Lead not found',
      }),
    ]);

    t.clock.advance(60_000);
    await fail(t, true);
    const dead = await request(t.app).get(`/api/meetings/${id}/write-back`).expect(200);
    expect(dead.body.writes[1]).toMatchObject({ key: '2', state: 'dead', attempts: 2 });
    // Nothing of the payload (the visitor's email) is shown.
    expect(JSON.stringify(dead.body)).not.toContain('visitor@example.org');
    expect(await outboxOf(t)).toHaveLength(2);
  });

  it('when the meeting is unknown, then 404', async () => {
    const t = createMeetingsTestApp();
    const res = await request(t.app).get('/api/meetings/nope/write-back').expect(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});
