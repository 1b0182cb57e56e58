import { z } from 'zod';

/**
 * The Marketo instance whose data a store holds (leads, cursors and paging tokens, agents,
 * dialogues): `sandbox`, `munchkin:123-ABC-456`, or the REST origin for other hosts.
 */
export const storeInstanceSchema = z.object({
  id: z.string().min(1),
  /** When this store was first opened for the instance (ISO 8601). */
  boundAt: z.string(),
});
export type StoreInstance = z.infer<typeof storeInstanceSchema>;
