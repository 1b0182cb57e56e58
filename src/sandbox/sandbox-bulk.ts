import type { Request, Response } from 'express';
import { decodePosition, encodePosition } from './sandbox-activity-log.js';
import { marketoErrors } from './envelope.js';
import { requireJson, type RouteSpec } from './sandbox-http.js';
import { batchSizeParam, listParam, readParams } from './sandbox-params.js';
import type { SandboxState } from './sandbox-state.js';

/**
 * Bulk Lead Extract routes under `/bulk/v1` (not `/rest`; DEV:help/rest-api/bulk-extract.md).
 * They pass through the same auth and limits as REST calls. The file endpoint answers HTTP 404
 * with plain text for an unknown or unfinished job, and honours `Range: bytes=a-b` with 206 and
 * `Content-Range` so downloads can resume.
 */

const BASE = '/bulk/v1/leads/export';
const CONTENT_TYPES = { CSV: 'text/csv', TSV: 'text/tab-separated-values', SSV: 'text/plain' };

/** [start, end] inclusive for a single `bytes=` range, 'invalid' if unsatisfiable. */
function parseRange(header: string, size: number): { start: number; end: number } | 'invalid' {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid';
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return start > end || start >= size ? 'invalid' : { start, end };
}

function sendFile(state: SandboxState, req: Request, res: Response): undefined {
  const file = state.bulk.file(String(req.params.exportId));
  if (!file) {
    state.recordError('http:404');
    res
      .status(404)
      .type('text/plain')
      .send('Export file not found: the job is unknown or not Completed');
    return undefined;
  }
  const size = file.data.length;
  res.setHeader('Accept-Ranges', 'bytes');
  res.type(CONTENT_TYPES[file.format]);
  const header = req.headers.range;
  if (header === undefined) {
    res.status(200).send(file.data);
    return undefined;
  }
  const range = parseRange(header, size);
  if (range === 'invalid') {
    state.recordError('http:416');
    res.status(416).setHeader('Content-Range', `bytes */${size}`);
    res.end();
    return undefined;
  }
  res.status(206).setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  res.send(file.data.subarray(range.start, range.end + 1));
  return undefined;
}

export function createBulkRoutes(state: SandboxState): RouteSpec[] {
  const id = (req: Request) => String(req.params.exportId);
  return [
    {
      method: 'post',
      path: `${BASE}/create.json`,
      handle: (req) => ({ result: [state.bulk.create(requireJson(req))] }),
    },
    {
      method: 'post',
      path: `${BASE}/:exportId/enqueue.json`,
      handle: (req) => ({ result: [state.bulk.enqueue(id(req))] }),
    },
    {
      method: 'post',
      path: `${BASE}/:exportId/cancel.json`,
      handle: (req) => ({ result: [state.bulk.cancel(id(req))] }),
    },
    {
      method: 'get',
      path: `${BASE}/:exportId/status.json`,
      handle: (req) => ({ result: [state.bulk.status(id(req))] }),
    },
    {
      method: 'get',
      path: `${BASE}/:exportId/file.json`,
      handle: (req, res) => sendFile(state, req, res),
    },
    {
      method: 'get',
      path: `${BASE}.json`,
      handle: (req) => {
        const params = readParams(req);
        const batchSize = batchSizeParam(params);
        const token = params('nextPageToken');
        const offset = token === undefined ? 0 : decodePosition('exports', token);
        if (offset === undefined) throw marketoErrors.invalidData('Invalid next page token');
        const jobs = state.bulk.list(listParam(params('status')));
        // ResponseOfExportResponseWithToken has a nextPageToken but no moreResult.
        const more = offset + batchSize < jobs.length;
        return {
          result: jobs.slice(offset, offset + batchSize),
          ...(more ? { nextPageToken: encodePosition('exports', offset + batchSize) } : {}),
        };
      },
    },
  ];
}
