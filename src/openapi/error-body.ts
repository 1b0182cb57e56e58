import { z } from 'zod';

/**
 * The error body every JSON route answers with (src/http/error-handler.ts is the one place that
 * writes it), as a schema for the document: `field` names the bad input, `details.issues` lists
 * every bad field of a refused body or query.
 */
export const errorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ examples: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'NOT_FOUND'] }),
      message: z.string(),
      field: z.string().optional(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ description: 'Every error: { "error": { "code", "message", "field" } }' });
