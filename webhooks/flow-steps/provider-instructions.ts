/**
 * GET /providerInstructions: the onboarding guide Marketo shows during install, for what the
 * install does not do by itself (SPI ReadMe; marketo-facts §6 "Installation"). HTML; every
 * dynamic value is escaped.
 */
import { escapeHtml } from '../../src/http/html-page.js';

export function providerInstructionsHtml(flowStepsUrl: string): string {
  const installUrl = `${flowStepsUrl}/openapi.json`;
  const redirectLink = `https://app.marketo.com/custAdmin/addServiceProvider?url=${encodeURIComponent(installUrl)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Assign Sales Agent: setup</title></head>
<body>
<h1>Assign Sales Agent</h1>
<ol>
  <li>In <b>Admin &gt; Service Providers &gt; Add New Service</b>, enter the install URL
    <code>${escapeHtml(installUrl)}</code>
    (or open <a href="${escapeHtml(redirectLink)}">this install link</a>).</li>
  <li>For the API key, enter the value of <code>SSFS_API_KEY</code> from the service's
    configuration. To rotate it, set the new key as <code>SSFS_API_KEY</code> and the old one as
    <code>SSFS_API_KEY_PREVIOUS</code>, update it here, then remove the old one.</li>
  <li>Outgoing fields: map <b>email</b> to the person's Email Address. The person id is always sent.</li>
  <li>Incoming fields: create two person fields, for example <i>Sales Agent Email</i> (Email) and
    <i>Sales Agent Name</i> (String), and map <b>agentEmail</b> and <b>agentName</b> to them.
    Leave them unmapped to keep the agent on the activity only.</li>
  <li>Agents come from <code>ROUTING_AGENTS</code>; the status page reports when none is active.</li>
  <li>In a smart campaign flow, add <b>Assign Sales Agent</b> and choose a <b>Routing Pool</b>:
    all active agents in turn, or one agent. The activity records the agent and the rule used;
    a person who could not be routed gets <code>success = false</code> with
    <code>NO_AGENT_AVAILABLE</code>.</li>
</ol>
</body></html>
`;
}
