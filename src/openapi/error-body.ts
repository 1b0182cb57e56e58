import { z } from 'zod';

/**
 * The error body every JSON route answers with (src/http/error-handler.ts is the one place that
 * writes it), as a schema for the document: `field` names the bad input, `details.issues` lists
 * every bad field of a refused body or query. Loose at the top: a refused booking also carries
 * that day's free `slots` beside the error.
 */
export const errorBody = z
  .looseObject({
    error: z.object({
      code: z.string().meta({ examples: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'NOT_FOUND'] }),
      message: z.string(),
      field: z.string().optional(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ description: 'Every error: { "error": { "code", "message", "field" } }' });
