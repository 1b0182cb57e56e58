/**
 * The words of the notification emails, in the languages the widget speaks (English, French,
 * German, Spanish, Dutch, Japanese: the languages Dynamic Chat ships). Dates and times are not
 * here: compose-notification.ts formats them with Intl for the recipient's locale and zone.
 */
export interface NotificationStrings {
  subjectBooked(visitor: string, when: string): string;
  subjectRescheduled(visitor: string, when: string): string;
  subjectCancelled(visitor: string, when: string): string;
  subjectReminder(agent: string, when: string): string;
  booked(visitor: string): string;
  reassignedFrom(agent: string): string;
  rescheduled(visitor: string): string;
  cancelled(visitor: string): string;
  reassignedTo(agent: string): string;
  hello(name: string | undefined): string;
  reminder(agent: string): string;
  /** Between a label and its value: ": ", or " : " in French typography. */
  colon: string;
  when: string;
  previously: string;
  meeting: string;
  videoLink: string;
  invitationAttached: string;
  cancellationAttached: string;
  manage(url: string): string;
  addToCalendar(url: string): string;
}

const en: NotificationStrings = {
  subjectBooked: (v, w) => `New meeting: ${v}, ${w}`,
  subjectRescheduled: (v, w) => `Meeting moved: ${v}, ${w}`,
  subjectCancelled: (v, w) => `Meeting cancelled: ${v}, ${w}`,
  subjectReminder: (a, w) => `Reminder: your meeting with ${a}, ${w}`,
  booked: (v) => `${v} booked a meeting with you from the website chat.`,
  reassignedFrom: (a) => `The meeting was reassigned to you from ${a}.`,
  rescheduled: (v) => `${v} moved the meeting with you.`,
  cancelled: (v) => `The meeting with ${v} was cancelled.`,
  reassignedTo: (a) => `It was reassigned to ${a}.`,
  hello: (n) => (n === undefined ? 'Hello,' : `Hello ${n},`),
  reminder: (a) => `This is a reminder of your meeting with ${a}.`,
  colon: ': ',
  when: 'When',
  previously: 'Previously',
  meeting: 'Meeting',
  videoLink: 'Video link',
  invitationAttached: 'The calendar invitation is attached.',
  cancellationAttached: 'The attached cancellation removes it from your calendar.',
  manage: (u) => `Reschedule or cancel: ${u}`,
  addToCalendar: (u) => `Add it to your calendar: ${u}`,
};

const fr: NotificationStrings = {
  subjectBooked: (v, w) => `Nouveau rendez-vous : ${v}, ${w}`,
  subjectRescheduled: (v, w) => `Rendez-vous déplacé : ${v}, ${w}`,
  subjectCancelled: (v, w) => `Rendez-vous annulé : ${v}, ${w}`,
  subjectReminder: (a, w) => `Rappel : votre rendez-vous avec ${a}, ${w}`,
  booked: (v) => `${v} a réservé un rendez-vous avec vous depuis le chat du site.`,
  reassignedFrom: (a) => `Ce rendez-vous vous a été réattribué ; il était avec ${a}.`,
  rescheduled: (v) => `${v} a déplacé le rendez-vous avec vous.`,
  cancelled: (v) => `Le rendez-vous avec ${v} a été annulé.`,
  reassignedTo: (a) => `Il a été réattribué à ${a}.`,
  hello: (n) => (n === undefined ? 'Bonjour,' : `Bonjour ${n},`),
  reminder: (a) => `Nous vous rappelons votre rendez-vous avec ${a}.`,
  colon: ' : ',
  when: 'Quand',
  previously: 'Avant',
  meeting: 'Rendez-vous',
  videoLink: 'Lien de la visio',
  invitationAttached: "L'invitation d'agenda est jointe.",
  cancellationAttached: "L'annulation jointe le retire de votre agenda.",
  manage: (u) => `Le déplacer ou l'annuler : ${u}`,
  addToCalendar: (u) => `L'ajouter à votre agenda : ${u}`,
};

const de: NotificationStrings = {
  subjectBooked: (v, w) => `Neuer Termin: ${v}, ${w}`,
  subjectRescheduled: (v, w) => `Termin verschoben: ${v}, ${w}`,
  subjectCancelled: (v, w) => `Termin abgesagt: ${v}, ${w}`,
  subjectReminder: (a, w) => `Erinnerung: Ihr Termin mit ${a}, ${w}`,
  booked: (v) => `${v} hat über den Website-Chat einen Termin mit Ihnen gebucht.`,
  reassignedFrom: (a) => `Der Termin wurde Ihnen von ${a} übertragen.`,
  rescheduled: (v) => `${v} hat den Termin mit Ihnen verschoben.`,
  cancelled: (v) => `Der Termin mit ${v} wurde abgesagt.`,
  reassignedTo: (a) => `Er wurde an ${a} übertragen.`,
  hello: (n) => (n === undefined ? 'Guten Tag,' : `Guten Tag ${n},`),
  reminder: (a) => `wir erinnern Sie an Ihren Termin mit ${a}.`,
  colon: ': ',
  when: 'Wann',
  previously: 'Vorher',
  meeting: 'Termin',
  videoLink: 'Videolink',
  invitationAttached: 'Die Kalendereinladung ist angehängt.',
  cancellationAttached: 'Die angehängte Absage entfernt ihn aus Ihrem Kalender.',
  manage: (u) => `Verschieben oder absagen: ${u}`,
  addToCalendar: (u) => `Zum Kalender hinzufügen: ${u}`,
};

const es: NotificationStrings = {
  subjectBooked: (v, w) => `Nueva reunión: ${v}, ${w}`,
  subjectRescheduled: (v, w) => `Reunión cambiada: ${v}, ${w}`,
  subjectCancelled: (v, w) => `Reunión cancelada: ${v}, ${w}`,
  subjectReminder: (a, w) => `Recordatorio: su reunión con ${a}, ${w}`,
  booked: (v) => `${v} ha reservado una reunión con usted desde el chat del sitio web.`,
  reassignedFrom: (a) => `La reunión se le ha reasignado; antes era con ${a}.`,
  rescheduled: (v) => `${v} ha cambiado la hora de la reunión con usted.`,
  cancelled: (v) => `La reunión con ${v} se ha cancelado.`,
  reassignedTo: (a) => `Se ha reasignado a ${a}.`,
  hello: (n) => (n === undefined ? 'Hola:' : `Hola, ${n}:`),
  reminder: (a) => `Le recordamos su reunión con ${a}.`,
  colon: ': ',
  when: 'Cuándo',
  previously: 'Antes',
  meeting: 'Reunión',
  videoLink: 'Enlace de vídeo',
  invitationAttached: 'La invitación de calendario va adjunta.',
  cancellationAttached: 'La cancelación adjunta la quita de su calendario.',
  manage: (u) => `Cambiarla o cancelarla: ${u}`,
  addToCalendar: (u) => `Añadirla a su calendario: ${u}`,
};

const nl: NotificationStrings = {
  subjectBooked: (v, w) => `Nieuwe afspraak: ${v}, ${w}`,
  subjectRescheduled: (v, w) => `Afspraak verplaatst: ${v}, ${w}`,
  subjectCancelled: (v, w) => `Afspraak geannuleerd: ${v}, ${w}`,
  subjectReminder: (a, w) => `Herinnering: uw afspraak met ${a}, ${w}`,
  booked: (v) => `${v} heeft via de websitechat een afspraak met u gemaakt.`,
  reassignedFrom: (a) => `De afspraak is van ${a} aan u overgedragen.`,
  rescheduled: (v) => `${v} heeft de afspraak met u verplaatst.`,
  cancelled: (v) => `De afspraak met ${v} is geannuleerd.`,
  reassignedTo: (a) => `De afspraak is overgedragen aan ${a}.`,
  hello: (n) => (n === undefined ? 'Hallo,' : `Beste ${n},`),
  reminder: (a) => `Dit is een herinnering aan uw afspraak met ${a}.`,
  colon: ': ',
  when: 'Wanneer',
  previously: 'Eerder',
  meeting: 'Afspraak',
  videoLink: 'Videolink',
  invitationAttached: 'De agenda-uitnodiging is bijgevoegd.',
  cancellationAttached: 'De bijgevoegde annulering haalt de afspraak uit uw agenda.',
  manage: (u) => `Verplaatsen of annuleren: ${u}`,
  addToCalendar: (u) => `Toevoegen aan uw agenda: ${u}`,
};

const ja: NotificationStrings = {
  subjectBooked: (v, w) => `新しいミーティング: ${v}様、${w}`,
  subjectRescheduled: (v, w) => `ミーティングの変更: ${v}様、${w}`,
  subjectCancelled: (v, w) => `ミーティングのキャンセル: ${v}様、${w}`,
  subjectReminder: (a, w) => `リマインダー: ${a}とのミーティング、${w}`,
  booked: (v) => `${v}様がウェブサイトのチャットからミーティングを予約しました。`,
  reassignedFrom: (a) => `このミーティングは${a}からあなたに割り当て直されました。`,
  rescheduled: (v) => `${v}様がミーティングの日時を変更しました。`,
  cancelled: (v) => `${v}様とのミーティングはキャンセルされました。`,
  reassignedTo: (a) => `${a}に割り当て直されました。`,
  hello: (n) => (n === undefined ? 'お客様' : `${n}様`),
  reminder: (a) => `${a}とのミーティングのお知らせです。`,
  colon: ': ',
  when: '日時',
  previously: '変更前',
  meeting: 'ミーティング',
  videoLink: 'ビデオ会議のリンク',
  invitationAttached: 'カレンダーの招待状を添付しています。',
  cancellationAttached: '添付のキャンセル通知でカレンダーから削除されます。',
  manage: (u) => `変更・キャンセル: ${u}`,
  addToCalendar: (u) => `カレンダーに追加: ${u}`,
};

const BY_LANGUAGE: Readonly<Record<string, NotificationStrings>> = { en, fr, de, es, nl, ja };

/**
 * The locale a message is written in: the recipient's when its language is one we write (its
 * region kept for Intl, e.g. fr-CA), English otherwise, so words and formats never disagree.
 */
export function resolveLocale(locale: string | undefined): {
  locale: string;
  strings: NotificationStrings;
} {
  const canonical = canonicalLocale(locale);
  const language = canonical?.split('-')[0]?.toLowerCase();
  const strings = language === undefined ? undefined : BY_LANGUAGE[language];
  return strings === undefined || canonical === undefined
    ? { locale: 'en', strings: en }
    : { locale: canonical, strings };
}

/** `fr-ca` → `fr-CA`; undefined for what is not a BCP 47 tag. */
export function canonicalLocale(locale: string | undefined): string | undefined {
  if (locale === undefined || locale.trim() === '') return undefined;
  try {
    return Intl.getCanonicalLocales(locale.trim())[0];
  } catch {
    return undefined;
  }
}
