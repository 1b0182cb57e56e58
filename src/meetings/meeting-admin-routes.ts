import { Router } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { parseInput } from '../http/parse-input.js';
import { AppError } from '../errors.js';
import { SlotTakenError, type BookingDeps } from './book-meeting.js';
import { rescheduleSlots } from './meeting-slots.js';
import { changeMeetingStatus, rescheduleMeeting } from './change-meeting.js';
import { meetingStatusSchema } from '../records/meeting-contract.js';
import { toAdminMeeting } from './meeting-views.js';
import { meetingInvitation } from './meeting-writes.js';

const day = z.iso.datetime({ offset: true }).or(z.iso.date());

export const listQuerySchema = z.object({
  agentId: z.string().min(1).optional(),
  status: z.union([meetingStatusSchema, z.literal('pending')]).optional(),
  from: day.optional(),
  to: day.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const statusSchema = z.object({
  status: z.enum(['cancelled', 'completed', 'no-show']),
  note: z.string().max(500).optional(),
});
export const rescheduleSchema = z.object({ start: z.iso.datetime({ offset: true }) });

/** /api/meetings: every meeting with its status, filters, and the admin's status changes. */
export function createMeetingAdminRoutes(deps: BookingDeps): Router {
  const router = Router();

  router.get('/meetings', async (req, res) => {
    const query = parseInput(listQuerySchema, req.query, 'meeting filter');
    const meetings = await deps.store.listMeetings({
      ...(query.agentId === undefined ? {} : { agentId: query.agentId }),
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.from === undefined ? {} : { from: Date.parse(query.from) }),
      ...(query.to === undefined ? {} : { to: Date.parse(query.to) }),
      limit: query.limit,
    });
    res.json({ meetings: meetings.map(toAdminMeeting) });
  });

  router.get('/meetings/:id', async (req, res) => {
    const meeting = await deps.store.getMeeting(req.params.id);
    if (meeting === undefined)
      throw new AppError('NOT_FOUND', `No meeting ${req.params.id}`, { httpStatus: 404 });
    res.json(toAdminMeeting(meeting));
  });

  /** The agent's copy of the invitation (agents on the built-in calendar add it themselves). */
  router.get('/meetings/:id/invite.ics', async (req, res) => {
    const meeting = await deps.store.getMeeting(req.params.id);
    const agent = meeting === undefined ? undefined : await deps.store.getAgent(meeting.agentId);
    if (meeting === undefined || agent === undefined) {
      throw new AppError('NOT_FOUND', `No meeting ${req.params.id}`, { httpStatus: 404 });
    }
    res.setHeader('Content-Type', 'text/calendar; charset=utf-8; method=REQUEST');
    res.setHeader('Content-Disposition', `attachment; filename="meeting-${meeting.id}.ics"`);
    res.send(meetingInvitation(agent, meeting));
  });

  router.post('/meetings/:id/status', async (req, res) => {
    const { status, note } = parseInput(statusSchema, req.body, 'status change');
    const meeting = await changeMeetingStatus(deps, {
      meetingId: req.params.id,
      to: status,
      by: 'admin',
      ...(note === undefined ? {} : { note }),
    });
    res.json(toAdminMeeting(meeting));
  });

  router.post('/meetings/:id/reschedule', async (req, res) => {
    const { start } = parseInput(rescheduleSchema, req.body, 'reschedule');
    try {
      const meeting = await rescheduleMeeting(deps, {
        meetingId: req.params.id,
        start,
        by: 'admin',
      });
      res.json(toAdminMeeting(meeting));
    } catch (error) {
      const meeting = await deps.store.getMeeting(req.params.id);
      if (!(error instanceof SlotTakenError) || meeting === undefined) throw error;
      // Nobody is free then (the agent nor anyone it could go to): that day's free times.
      const zone = meeting.visitor.timeZone ?? 'UTC';
      const from = DateTime.fromISO(start).setZone(zone).toISODate()!;
      res.status(409).json({
        error: { code: error.code, message: error.message, field: error.field },
        slots: await rescheduleSlots(deps, meeting, { from, days: 1, timeZone: zone }),
      });
    }
  });

  return router;
}
