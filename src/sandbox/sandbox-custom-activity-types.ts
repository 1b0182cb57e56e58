import { z } from 'zod';
import type { Clock } from '../deps.js';
import { marketoErrors, toIso } from './envelope.js';
import { parseMarketo } from './sandbox-params.js';
import type { CustomActivityAttributeView, CustomActivityTypeView } from './sandbox-types.js';

/**
 * Custom activity types (DEV:help/rest-api/activities.md, "Custom Activity Types"): created as a
 * draft, changed through the draft, made live by approve. At most 10 types per subscription
 * (1027) and 20 secondary attributes per type (1028). Ids start at 100001 as in the docs.
 */

const DATA_TYPES = [
  'string',
  'boolean',
  'integer',
  'float',
  'link',
  'email',
  'currency',
  'date',
  'datetime',
  'phone',
  'text',
] as const;
const MAX_TYPES = 10;
const MAX_ATTRIBUTES = 20;
const FIRST_TYPE_ID = 100001;

const apiNameSchema = z.string().regex(/^(?=.*[A-Za-z])[A-Za-z0-9_]{1,255}$/, {
  error: 'must be alphanumeric with at least one letter',
});
const attributeSchema = z.object({
  apiName: apiNameSchema,
  name: z.string().min(1),
  description: z.string().optional(),
  dataType: z.enum(DATA_TYPES),
});
const createTypeSchema = z.object({
  apiName: apiNameSchema,
  name: z.string().min(1),
  description: z.string().optional(),
  triggerName: z.string().min(1),
  filterName: z.string().min(1),
  primaryAttribute: attributeSchema.extend({ dataType: z.enum(DATA_TYPES).default('string') }),
});
const attributesRequestSchema = z.object({ attributes: z.array(attributeSchema).min(1) });

export type CreateTypeInput = z.infer<typeof createTypeSchema>;

interface Version {
  name: string;
  description?: string;
  triggerName: string;
  filterName: string;
  primaryAttribute: CustomActivityAttributeView;
  attributes: CustomActivityAttributeView[];
}

interface TypeRecord {
  id: number;
  apiName: string;
  createdAt: string;
  updatedAt: string;
  live?: Version;
  draft?: Version;
}

export interface LiveActivityType {
  id: number;
  apiName: string;
  primaryAttribute: CustomActivityAttributeView;
  attributes: CustomActivityAttributeView[];
}

export interface CustomActivityTypes {
  list(): CustomActivityTypeView[];
  create(body: unknown): CustomActivityTypeView;
  addAttributes(apiName: string, body: unknown): CustomActivityTypeView;
  approve(apiName: string): CustomActivityTypeView;
  describe(apiName: string, draft: boolean): CustomActivityTypeView;
  /** The approved version of a type, for Add Custom Activities; undefined if unknown. */
  live(id: number): LiveActivityType | 'not-approved' | undefined;
}

function statusOf(record: TypeRecord): CustomActivityTypeView['status'] {
  if (record.live && record.draft) return 'approved with draft';
  return record.live ? 'approved' : 'draft';
}

function viewOf(record: TypeRecord, version: Version): CustomActivityTypeView {
  return {
    id: record.id,
    apiName: record.apiName,
    name: version.name,
    ...(version.description === undefined ? {} : { description: version.description }),
    triggerName: version.triggerName,
    filterName: version.filterName,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    status: statusOf(record),
    primaryAttribute: { ...version.primaryAttribute },
    attributes: version.attributes.map((attribute) => ({ ...attribute })),
  };
}

const latest = (record: TypeRecord): Version => (record.draft ?? record.live) as Version;

export function createCustomActivityTypes(clock: Clock): CustomActivityTypes {
  const types = new Map<string, TypeRecord>();
  let nextId = FIRST_TYPE_ID;

  const find = (apiName: string): TypeRecord => {
    const record = types.get(apiName);
    if (!record) throw marketoErrors.objectNotFound(`activity type '${apiName}'`);
    return record;
  };
  const touch = (record: TypeRecord) => {
    record.updatedAt = toIso(clock.now());
  };

  return {
    list: () => [...types.values()].map((record) => viewOf(record, latest(record))),
    create(body) {
      const input = parseMarketo(createTypeSchema, body);
      if (types.size >= MAX_TYPES) throw marketoErrors.maxActivityTypes();
      for (const record of types.values()) {
        const version = latest(record);
        if (record.apiName === input.apiName) {
          throw marketoErrors.objectExists(`apiName '${input.apiName}'`);
        }
        if (version.triggerName === input.triggerName) {
          throw marketoErrors.objectExists(`triggerName '${input.triggerName}'`);
        }
        if (version.filterName === input.filterName) {
          throw marketoErrors.objectExists(`filterName '${input.filterName}'`);
        }
      }
      const now = toIso(clock.now());
      const { apiName, primaryAttribute, ...rest } = input;
      const record: TypeRecord = {
        id: nextId++,
        apiName,
        createdAt: now,
        updatedAt: now,
        draft: { ...rest, primaryAttribute, attributes: [] },
      };
      types.set(apiName, record);
      return viewOf(record, latest(record));
    },
    addAttributes(apiName, body) {
      const record = find(apiName);
      const { attributes } = parseMarketo(attributesRequestSchema, body);
      const draft = record.draft ?? structuredClone(record.live as Version);
      const taken = new Set([
        draft.primaryAttribute.apiName,
        ...draft.attributes.map((a) => a.apiName),
      ]);
      for (const attribute of attributes) {
        if (taken.has(attribute.apiName)) {
          throw marketoErrors.objectExists(`attribute '${attribute.apiName}'`);
        }
        taken.add(attribute.apiName);
      }
      if (draft.attributes.length + attributes.length > MAX_ATTRIBUTES) {
        throw marketoErrors.maxFields();
      }
      draft.attributes.push(...attributes);
      record.draft = draft;
      touch(record);
      return viewOf(record, draft);
    },
    approve(apiName) {
      const record = find(apiName);
      if (!record.draft) throw marketoErrors.businessRule(`'${apiName}' has no draft to approve`);
      record.live = record.draft;
      delete record.draft;
      touch(record);
      return viewOf(record, record.live);
    },
    describe(apiName, draft) {
      const record = find(apiName);
      // "By default you get the approved version"; a type never approved only has its draft.
      const version = draft ? record.draft : (record.live ?? record.draft);
      if (!version) throw marketoErrors.objectNotFound(`draft of '${apiName}'`);
      return viewOf(record, version);
    },
    live(id) {
      const record = [...types.values()].find((candidate) => candidate.id === id);
      if (!record) return undefined;
      if (!record.live) return 'not-approved';
      return { id, apiName: record.apiName, ...record.live };
    },
  };
}
