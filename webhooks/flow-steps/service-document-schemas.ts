/**
 * `components.schemas` of our service document: the payloads we accept and produce, following
 * Adobe's CFA-Swagger.yaml (Marketo-SSFS-Service-Provider-Interface, SPI 1.0.0). Only the
 * schemas our endpoints reference are listed, trimmed of examples; the shapes are Adobe's.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const str = { type: 'string' };
const bool = { type: 'boolean' };
const num = { type: 'number' };
const arrayOf = (items: object) => ({ type: 'array', items });
const openObject = { type: 'object', additionalProperties: true };

export const componentSchemas = {
  async: {
    type: 'object',
    required: ['campaignId', 'callbackUrl'],
    properties: {
      token: { ...str, description: 'One-time use token for submitting callback data' },
      batchid: { ...str, description: 'ID of the Marketo campaign run invoking the service' },
      apiCallBackKey: { ...str, description: 'API key to be used in the callback header' },
      campaignId: { type: 'integer', format: 'int32' },
      callbackUrl: { type: 'string', format: 'uri' },
      context: ref('context'),
      objectData: { ...arrayOf(ref('objectData')), maxItems: 1000 },
    },
  },
  context: {
    type: 'object',
    required: ['subscription'],
    properties: {
      subscription: ref('subscription'),
      admin: openObject,
      campaign: openObject,
      program: openObject,
    },
  },
  subscription: {
    type: 'object',
    required: ['munchkinId'],
    properties: { munchkinId: str, prefix: str, crmSyncStatus: str },
  },
  objectData: {
    type: 'object',
    required: ['objectType', 'objectContext'],
    properties: {
      objectType: { type: 'string', enum: ['lead'] },
      objectContext: ref('leadData'),
      flowStepContext: {
        ...openObject,
        properties: { routingPool: { ...str, description: 'Chosen in the flow step' } },
      },
      programMemberContext: openObject,
      triggeringContext: openObject,
    },
  },
  leadData: {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'integer', format: 'int64' } },
    additionalProperties: true,
  },
  callbackData: {
    type: 'object',
    required: ['leadData'],
    properties: {
      activityData: {
        type: 'object',
        properties: { success: bool, reason: str, errorCode: str },
        additionalProperties: true,
      },
      leadData: ref('leadData'),
    },
  },
  flowCallBack: {
    type: 'object',
    required: ['munchkinId'],
    properties: {
      munchkinId: str,
      token: str,
      time: { type: 'string', format: 'date-time' },
      errorCode: str,
      errorMessage: str,
      objectData: arrayOf(ref('callbackData')),
    },
  },
  serviceDefinition: {
    type: 'object',
    required: ['apiName', 'i18n', 'primaryAttribute', 'invocationPayloadDef', 'callbackPayloadDef'],
    properties: {
      apiName: str,
      i18n: { type: 'object', properties: { en_US: ref('serviceI18nObject') } },
      primaryAttribute: str,
      invocationPayloadDef: ref('invocationPayloadDefObject'),
      callbackPayloadDef: ref('callbackPayloadDefObject'),
    },
  },
  serviceI18nObject: {
    type: 'object',
    properties: { name: str, filterName: str, triggerName: str, description: str },
  },
  invocationPayloadDefObject: {
    type: 'object',
    properties: {
      globalAttributes: arrayOf(ref('invocationAttributeObject')),
      flowAttributes: arrayOf(ref('invocationAttributeObject')),
      fields: arrayOf(ref('invocationFieldMapping')),
      userDrivenMapping: bool,
      programContext: bool,
      campaignContext: bool,
      triggerContext: bool,
      programMemberContext: bool,
      subscriptionContext: bool,
      myTokenContext: arrayOf(str),
    },
  },
  callbackPayloadDefObject: {
    type: 'object',
    properties: {
      attributes: arrayOf(ref('attributeObject')),
      fields: arrayOf(ref('fieldMapping')),
      userDrivenMapping: bool,
    },
  },
  invocationAttributeObject: {
    allOf: [
      ref('attributeObject'),
      {
        type: 'object',
        properties: { enforcePicklistSelect: bool, hasPicklist: bool, picklistUrl: str },
      },
    ],
  },
  attributeObject: {
    type: 'object',
    required: ['apiName', 'i18n', 'dataType'],
    properties: {
      apiName: str,
      i18n: {
        type: 'object',
        required: ['en_US'],
        properties: { en_US: ref('attributeI18nObject') },
        additionalProperties: ref('attributeI18nObject'),
      },
      dataType: ref('fieldType'),
    },
  },
  attributeI18nObject: {
    type: 'object',
    properties: { name: str, description: str, uiTooltip: str },
  },
  invocationFieldMapping: {
    allOf: [ref('fieldMapping'), { type: 'object', properties: { required: bool } }],
  },
  fieldMapping: {
    type: 'object',
    required: ['serviceAttribute', 'description', 'dataType'],
    properties: {
      serviceAttribute: str,
      suggestedMarketoAttribute: str,
      description: ref('i18nString'),
      dataType: ref('fieldType'),
    },
  },
  serviceStatus: {
    type: 'object',
    properties: {
      info: arrayOf(str),
      warnings: arrayOf(str),
      errors: arrayOf(str),
      deprecationMessage: str,
      deprecationDate: { type: 'string', format: 'date-time' },
    },
  },
  getPicklistRequest: {
    type: 'object',
    required: ['name', 'type'],
    properties: {
      name: str,
      type: { type: 'string', enum: ['flow', 'global', 'header'] },
      fieldMappingContext: openObject,
    },
  },
  picklistObject: {
    type: 'object',
    required: ['choices'],
    properties: { choices: { ...arrayOf(ref('picklistChoice')), maxItems: 1000 } },
  },
  picklistChoice: {
    type: 'object',
    required: ['displayValue', 'submittedValue'],
    properties: {
      displayValue: ref('i18nString'),
      submittedValue: { anyOf: [bool, { type: 'integer' }, num, str] },
    },
  },
  fieldType: {
    type: 'string',
    enum: [
      'boolean',
      'integer',
      'date',
      'datetime',
      'email',
      'float',
      'score',
      'string',
      'url',
      'text',
    ],
  },
  i18nString: {
    type: 'object',
    required: ['en_US'],
    properties: { en_US: str },
    additionalProperties: str,
  },
};
