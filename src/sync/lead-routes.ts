import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../errors.js';
import type { LeadStore, StoredLead } from '../store/types.js';

export const leadIdSchema = z.coerce
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);
export const emailQuerySchema = z.object({ email: z.email().max(254) });

/** Admin lookups in the local copy of the lead database. */
export function createLeadRoutes(deps: { store: LeadStore }): Router {
  const router = Router();
  router.get('/leads/:id', async (req, res) => {
    const id = leadIdSchema.safeParse(req.params.id);
    if (!id.success) throw new ValidationError('id must be a positive whole number', 'id');
    const lead = await deps.store.getLead(id.data);
    if (!lead) throw new NotFoundError(`No lead ${id.data} in the local copy`);
    res.json(presentLead(lead));
  });
  router.get('/leads', async (req, res) => {
    const query = emailQuerySchema.safeParse(req.query);
    if (!query.success) throw new ValidationError('email must be an email address', 'email');
    const leads = await deps.store.findLeadsByEmail(query.data.email);
    res.json({ leads: leads.map(presentLead) });
  });
  return router;
}

function presentLead(lead: StoredLead) {
  return {
    id: lead.id,
    ...lead.fields,
    _sync: { observedAt: new Date(lead.observedAt).toISOString(), source: lead.source },
  };
}
