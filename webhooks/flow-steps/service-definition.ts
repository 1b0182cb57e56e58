/**
 * GET /getServiceDefinition (Adobe SPI, CFA-Swagger.yaml `serviceDefinition`): what Marketo
 * shows when the service is installed and what it sends and accepts. Rules from the SPI ReadMe:
 * - `primaryAttribute` must be a flow attribute and not a callback attribute;
 * - flow parameters and activity attributes must not share names;
 * - `success`, `reason` and `errorCode` exist on every SSFS activity and must not be declared;
 * - `id` is reserved in field mappings: Marketo always sends and expects it.
 * Field and attribute descriptions are i18n objects where the schema says `i18nString`.
 */
export const SERVICE_API_NAME = 'assignSalesAgent';

const en = (name: string, description: string, uiTooltip = description) => ({
  en_US: { name, description, uiTooltip },
});

/** `flowStepsUrl`: where Marketo reaches these endpoints, e.g. `https://chat.example.com/flow-steps`. */
export function buildServiceDefinition(flowStepsUrl: string) {
  return {
    apiName: SERVICE_API_NAME,
    i18n: {
      en_US: {
        name: 'Assign Sales Agent',
        filterName: 'Was Assigned a Sales Agent',
        triggerName: 'Is Assigned a Sales Agent',
        description:
          'Routes each person to a sales agent (round robin over the active agents, or to one ' +
          'chosen agent) and writes the agent back to the person and to the activity.',
      },
    },
    primaryAttribute: 'routingPool',
    invocationPayloadDef: {
      flowAttributes: [
        {
          apiName: 'routingPool',
          i18n: en(
            'Routing Pool',
            'The agents to route to: all active agents in turn, or one agent',
            'Who should get these people?',
          ),
          dataType: 'string',
          hasPicklist: true,
          enforcePicklistSelect: true,
          // Absolute: the SPI ReadMe asks for "your /getPicklist URL" and documents no relative
          // resolution for it, unlike the endpoints, which hang off the document's folder.
          picklistUrl: `${flowStepsUrl}/getPicklist`,
        },
      ],
      fields: [
        {
          serviceAttribute: 'email',
          suggestedMarketoAttribute: 'email',
          description: { en_US: "The person's email address" },
          dataType: 'email',
          required: false,
        },
      ],
      userDrivenMapping: false,
      programContext: false,
      campaignContext: false,
      triggerContext: false,
      programMemberContext: false,
      // The callback must name the subscription (flowCallBack.munchkinId is required).
      subscriptionContext: true,
    },
    callbackPayloadDef: {
      attributes: [
        {
          apiName: 'agentEmail',
          i18n: en('Agent Email', 'Email address of the assigned sales agent'),
          dataType: 'email',
        },
        {
          apiName: 'agentName',
          i18n: en('Agent Name', 'Name of the assigned sales agent'),
          dataType: 'string',
        },
        {
          apiName: 'routingRule',
          i18n: en(
            'Routing Rule',
            'Why this agent: round-robin (the rotation) or direct (a pool of one agent)',
          ),
          dataType: 'string',
        },
      ],
      fields: [
        {
          serviceAttribute: 'agentEmail',
          suggestedMarketoAttribute: 'salesAgentEmail',
          description: { en_US: 'Person field that receives the assigned agent email address' },
          dataType: 'email',
        },
        {
          serviceAttribute: 'agentName',
          suggestedMarketoAttribute: 'salesAgentName',
          description: { en_US: 'Person field that receives the assigned agent name' },
          dataType: 'string',
        },
      ],
      userDrivenMapping: false,
    },
  };
}
