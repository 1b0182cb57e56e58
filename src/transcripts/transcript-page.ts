import { escapeHtml, pageLayout } from '../http/html-page.js';
import type { Transcript, TranscriptStep } from './build-transcript.js';

/** The transcript as a read-only page (the link in the lead's Marketo activity opens it). */
export function transcriptPage(t: Transcript): string {
  const e = escapeHtml;
  const facts = [
    ['Dialogue', `${t.dialogue.name ?? t.dialogue.id} (version ${t.dialogue.version})`],
    ['Visitor', t.visitor.email ?? `anonymous (${t.visitor.anonymousId})`],
    ['Started', t.startedAt],
    ['Last event', t.endedAt],
    ['Outcome', t.outcome],
    ...(t.language === null ? [] : [['Language', t.language]]),
  ]
    .map(([name, value]) => `<dt>${e(name!)}</dt><dd>${e(value!)}</dd>`)
    .join('');
  const note =
    t.texts === 'unavailable'
      ? '<p class="note">This version was published before versions were kept: cards show their ids.</p>'
      : '';
  const steps = t.steps.map((step) => `<li>${stepHtml(step)}</li>`).join('');
  return pageLayout(
    'Chat transcript',
    `<dl>${facts}</dl>${note}<h2>Conversation</h2><ol class="steps">${steps}</ol>`,
  ).replace(
    '</style>',
    'dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem 1rem}dt{font-weight:600}' +
      'dd{margin:0}.steps li{margin:.4rem 0}.at{color:#667;font-size:.85em}</style>',
  );
}

function stepHtml(step: TranscriptStep): string {
  const e = escapeHtml;
  const at = `<span class="at">${e(step.at.slice(11, 19))}</span> `;
  switch (step.kind) {
    case 'card':
      return `${at}Bot: ${e(step.text ?? `[${step.cardType ?? 'card'} ${step.cardId}]`)}`;
    case 'answered':
      return (
        at +
        step.answers
          .map(
            (a) =>
              `Visitor answered ${a.label === null ? '' : `“${e(a.label)}”: `}<b>${e(a.value)}</b>`,
          )
          .join('<br>')
      );
    case 'email-given':
      return `${at}Visitor gave their email: <b>${e(step.email ?? '')}</b>`;
    case 'document-opened':
      return `${at}Visitor opened the document ${e(step.title ?? step.cardId ?? '')}`;
    case 'action-requested':
      return `${at}Marketo action requested: ${e(step.action ?? step.cardId ?? '')}`;
    case 'meeting-booked':
      return step.meeting === undefined
        ? `${at}Meeting booked${step.meetingId === null ? '' : ` (${e(step.meetingId)})`}`
        : `${at}Meeting booked with ${e(step.meeting.agentName)} for ${e(step.meeting.start)} (${e(step.meeting.status)})`;
    case 'goal-reached':
      return `${at}Goal reached: ${e(step.goal ?? '')}`;
    default:
      return `${at}Conversation ${e(step.kind)}${step.pageUrl === null ? '' : ` on ${e(step.pageUrl)}`}`;
  }
}
