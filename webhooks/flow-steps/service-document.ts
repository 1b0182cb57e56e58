import { componentSchemas } from './service-document-schemas.js';

/**
 * The OpenAPI 3.0 service document: the install URL an admin pastes into Admin > Service
 * Providers (marketo-facts §6 "Installation"). It satisfies Adobe's schema.yaml: info with
 * x-providerName, x-schemaVersion and x-supportContact; `security` naming an apiKey scheme on
 * the `x-api-key` header (Marketo uses the first one listed); the three required paths and the
 * optional ones we serve. There is no `servers`: Marketo then takes the document's folder
 * (`/flow-steps/`) as the base path of every path below (CFA-Swagger.yaml info.description).
 */
export interface ServiceDocumentOptions {
  version: string;
  /** Email address or URL (schema.yaml `x-supportContact`). */
  supportContact: string;
}

const json = (schema: string) => ({
  'application/json': { schema: { $ref: `#/components/schemas/${schema}` } },
});
const ok = (description: string, content: object) => ({ 200: { description, content } });
const image = { 'image/*': { schema: { type: 'string', format: 'binary' } } };

/** The invocation's answers, as CFA-Swagger.yaml lists them (schema.yaml requires all six). */
const invocationResponses = {
  201: { description: 'Accepted: stored; results follow through the callback' },
  400: { description: 'Bad Request: a field is missing or invalid (the answer names it)' },
  401: { description: 'Unauthorized: missing or wrong x-api-key' },
  403: { description: 'Forbidden: authentication failed' },
  429: { description: 'Too Many Requests: retry with backoff' },
  500: { description: 'Internal Server Error' },
};

export function buildServiceDocument(options: ServiceDocumentOptions) {
  return {
    openapi: '3.0.1',
    info: {
      title: 'Sales Agent Routing',
      description:
        'Self-Service Flow Step "Assign Sales Agent": routes each person to a sales agent ' +
        'and writes the agent back to the person and to the flow step activity.',
      version: options.version,
      'x-providerName': 'Marketo Chat',
      'x-schemaVersion': '1.0.0',
      'x-supportContact': options.supportContact,
    },
    security: [{ apiKey: [] }],
    paths: {
      '/submitAsyncAction': {
        description: 'Lead and context data come in here; results go back through the callback',
        post: {
          summary: 'Accepts a batch of people to route',
          operationId: 'submitAsyncAction',
          requestBody: { required: true, content: json('async') },
          callbacks: {
            selfServiceFlowComplete: {
              // Adobe's expression, kept verbatim (CFA-Swagger.yaml); the URL sent is `callbackUrl`.
              '{$request.body#/flowComplete}': {
                post: {
                  parameters: [
                    callbackHeader('x-api-key', 'apiCallBackKey from the invocation'),
                    callbackHeader('x-callback-token', 'token from the invocation'),
                  ],
                  requestBody: { required: true, content: json('flowCallBack') },
                  responses: {
                    404: { description: 'Not Found' },
                    405: { description: 'Invalid input' },
                  },
                },
              },
            },
          },
          responses: invocationResponses,
        },
      },
      '/getServiceDefinition': {
        get: {
          summary: 'Returns the service definition for install',
          responses: ok('Service Install Metadata', json('serviceDefinition')),
        },
      },
      '/status': {
        get: {
          summary: 'Returns status information for the service',
          responses: ok('Status info of Service', json('serviceStatus')),
        },
      },
      '/getPicklist': {
        post: {
          summary: 'Returns the choices of a flow parameter',
          requestBody: { required: true, content: json('getPicklistRequest') },
          responses: ok('Choices', json('picklistObject')),
        },
      },
      '/providerInstructions': {
        get: {
          summary: 'Returns the how-to for the configuration install does not cover',
          responses: ok('OK', { 'text/html': { schema: { type: 'string' } } }),
        },
      },
      '/brandIcon': {
        get: { summary: 'Brand icon for the Service Providers menu', responses: ok('OK', image) },
      },
      '/serviceIcon': {
        get: { summary: 'Flow step icon for the flow palette', responses: ok('OK', image) },
      },
    },
    components: {
      schemas: componentSchemas,
      securitySchemes: { apiKey: { type: 'apiKey', name: 'x-api-key', in: 'header' } },
    },
  };
}

function callbackHeader(name: string, description: string) {
  return { in: 'header', name, description, required: true, schema: { type: 'string' } };
}
