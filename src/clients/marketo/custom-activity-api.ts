import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import { checkBatch, getRequest, pathSegment, postRequest } from './marketo-request.js';
import { checkRecordResults } from './marketo-response.js';
import type { MarketoTransport } from './marketo-transport.js';
import type * as T from './types.js';
import { customActivityTypeSchema, firstOf, listOf, recordResultSchema } from './wire-schemas.js';

/** help/rest-api/activities.md: at most 20 secondary attributes per custom activity type. */
const MAX_ATTRIBUTES = 20;

type NewActivityType = Parameters<T.MarketoApi['createCustomActivityType']>[0];

/**
 * Custom activity types and Add Custom Activities (help/rest-api/activities.md). Type
 * management needs Read-Write Activity Metadata; adding activities needs Read-Write Activity.
 */
export class CustomActivityApi {
  constructor(private readonly transport: MarketoTransport) {}

  async listCustomActivityTypes(): Promise<T.CustomActivityType[]> {
    const path = '/rest/v1/activities/external/types.json';
    const req = getRequest('listCustomActivityTypes', path);
    return (await this.transport.json(req, listOf(customActivityTypeSchema))).result;
  }

  /** Creates a draft; approveCustomActivityType makes it live. */
  async createCustomActivityType(type: NewActivityType): Promise<T.CustomActivityType> {
    const body = {
      apiName: type.apiName,
      name: type.name,
      description: type.description,
      triggerName: type.triggerName,
      filterName: type.filterName,
      primaryAttribute: type.primaryAttribute,
    };
    const path = '/rest/v1/activities/external/type.json';
    const req = postRequest('createCustomActivityType', path, body);
    return (await this.transport.json(req, firstOf(customActivityTypeSchema))).result;
  }

  async createCustomActivityTypeAttributes(
    apiName: string,
    attributes: T.CustomActivityTypeAttribute[],
  ): Promise<void> {
    if (attributes.length === 0 || attributes.length > MAX_ATTRIBUTES) {
      const message = `attributes must hold 1 to ${MAX_ATTRIBUTES} items`;
      throw new ValidationError(message, 'attributes');
    }
    const path = `${typePath(apiName)}/attributes/create.json`;
    const req = postRequest('createCustomActivityTypeAttributes', path, { attributes });
    await this.transport.json(req, z.unknown());
  }

  /** Approving replaces the live version of the type with the draft. */
  async approveCustomActivityType(apiName: string): Promise<T.CustomActivityType> {
    const req = postRequest('approveCustomActivityType', `${typePath(apiName)}/approve.json`);
    return (await this.transport.json(req, firstOf(customActivityTypeSchema))).result;
  }

  /**
   * At most 300 per call; results in input order. Custom activities are write-once and Marketo
   * has no idempotency key, so an ambiguous failure is never resent here (the error says
   * `details.outcomeUnknown`).
   */
  async addCustomActivities(input: T.CustomActivityInput[]): Promise<T.RecordResult[]> {
    checkBatch(input, 'input');
    if (input.length === 0) return [];
    const req = postRequest('addCustomActivities', '/rest/v1/activities/external.json', { input });
    const answer = await this.transport.json(req, listOf(recordResultSchema));
    return checkRecordResults(req, answer, input.length, (c) => this.transport.countError(c));
  }
}

function typePath(apiName: string): string {
  return `/rest/v1/activities/external/type/${pathSegment(apiName, 'apiName')}`;
}
