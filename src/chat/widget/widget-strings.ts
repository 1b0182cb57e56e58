import type { AnswerProblem } from '../../records/answer-check.js';

/**
 * The widget's own words in the languages it ships (Dynamic Chat's EN, FR, DE, ES, JA, plus
 * NL): buttons, placeholders, answer problems, booking texts and errors. Dialogue text is the
 * marketer's and comes translated with the dialogue (dialogue-language.ts). `{x}` marks a
 * value filled in by `fill`. One table keeps the bundle small: about 1 KB gzipped per language.
 */

export const LANGUAGES = ['en', 'fr', 'de', 'es', 'nl', 'ja'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface WidgetStrings {
  send: string;
  back: string;
  startOver: string;
  open: string;
  close: string;
  privacy: string;
  you: string;
  typing: string;
  choose: string;
  name: string;
  email: string;
  error: string;
  missingField: string;
  invalidEmail: string;
  required: string;
  tooLong: string;
  notAPhone: string;
  notANumber: string;
  notAnInteger: string;
  belowMin: string;
  aboveMax: string;
  notAnOption: string;
  book: string;
  otherTimes: string;
  later: string;
  retry: string;
  none: string;
  timesIn: string;
  days: string;
  meetingType: string;
  minutes: string;
  booked: string;
  cancelled: string;
  with: string;
  join: string;
  ics: string;
  icsCancelled: string;
  cancel: string;
  confirmCancel: string;
  keep: string;
}

const en: WidgetStrings = {
  send: 'Send',
  back: 'Back',
  startOver: 'Start over',
  open: 'Open chat with {name}',
  close: 'Close chat',
  privacy: 'Privacy policy',
  you: 'You',
  typing: '{name} is typing',
  choose: 'Choose…',
  name: 'Name',
  email: 'Email',
  error: 'Sorry, that did not go through. Please try again.',
  missingField: 'Please fill in every field.',
  invalidEmail: 'Please enter a valid email address.',
  required: 'Please answer this.',
  tooLong: 'Please keep it under {max} characters.',
  notAPhone: 'Please enter a phone number.',
  notANumber: 'Please enter a number.',
  notAnInteger: 'Please enter a whole number.',
  belowMin: 'Please enter at least {min}.',
  aboveMax: 'Please enter at most {max}.',
  notAnOption: 'Please choose one of the options.',
  book: 'Book',
  otherTimes: 'Other times',
  later: 'Later dates',
  retry: 'Try again',
  none: 'No free times on these days.',
  timesIn: 'Times in {zone}',
  days: 'Days',
  meetingType: 'Which meeting would you like?',
  minutes: '{n} min',
  booked: 'Meeting booked',
  cancelled: 'Meeting cancelled',
  with: 'With',
  join: 'Join the meeting',
  ics: 'Add to calendar (.ics)',
  icsCancelled: 'Update your calendar (.ics)',
  cancel: 'Cancel meeting',
  confirmCancel: 'Yes, cancel it',
  keep: 'Keep this time',
};

const fr: WidgetStrings = {
  send: 'Envoyer',
  back: 'Retour',
  startOver: 'Recommencer',
  open: 'Ouvrir le chat avec {name}',
  close: 'Fermer le chat',
  privacy: 'Politique de confidentialité',
  you: 'Vous',
  typing: '{name} écrit',
  choose: 'Choisir…',
  name: 'Nom',
  email: 'E-mail',
  error: 'Désolé, cela n’a pas abouti. Veuillez réessayer.',
  missingField: 'Veuillez remplir tous les champs.',
  invalidEmail: 'Veuillez saisir une adresse e-mail valide.',
  required: 'Veuillez répondre.',
  tooLong: 'Pas plus de {max} caractères, s’il vous plaît.',
  notAPhone: 'Veuillez saisir un numéro de téléphone.',
  notANumber: 'Veuillez saisir un nombre.',
  notAnInteger: 'Veuillez saisir un nombre entier.',
  belowMin: 'Veuillez saisir au moins {min}.',
  aboveMax: 'Veuillez saisir au plus {max}.',
  notAnOption: 'Veuillez choisir l’une des options.',
  book: 'Réserver',
  otherTimes: 'Autres horaires',
  later: 'Dates suivantes',
  retry: 'Réessayer',
  none: 'Aucun créneau libre ces jours-là.',
  timesIn: 'Heures ({zone})',
  days: 'Jours',
  meetingType: 'Quel rendez-vous souhaitez-vous ?',
  minutes: '{n} min',
  booked: 'Rendez-vous réservé',
  cancelled: 'Rendez-vous annulé',
  with: 'Avec',
  join: 'Rejoindre la réunion',
  ics: 'Ajouter au calendrier (.ics)',
  icsCancelled: 'Mettre à jour le calendrier (.ics)',
  cancel: 'Annuler le rendez-vous',
  confirmCancel: 'Oui, annuler',
  keep: 'Garder ce créneau',
};

const de: WidgetStrings = {
  send: 'Senden',
  back: 'Zurück',
  startOver: 'Neu beginnen',
  open: 'Chat mit {name} öffnen',
  close: 'Chat schließen',
  privacy: 'Datenschutzerklärung',
  you: 'Sie',
  typing: '{name} schreibt',
  choose: 'Auswählen…',
  name: 'Name',
  email: 'E-Mail',
  error: 'Das hat leider nicht geklappt. Bitte versuchen Sie es erneut.',
  missingField: 'Bitte füllen Sie alle Felder aus.',
  invalidEmail: 'Bitte geben Sie eine gültige E-Mail-Adresse ein.',
  required: 'Bitte beantworten Sie dies.',
  tooLong: 'Bitte höchstens {max} Zeichen.',
  notAPhone: 'Bitte geben Sie eine Telefonnummer ein.',
  notANumber: 'Bitte geben Sie eine Zahl ein.',
  notAnInteger: 'Bitte geben Sie eine ganze Zahl ein.',
  belowMin: 'Bitte mindestens {min}.',
  aboveMax: 'Bitte höchstens {max}.',
  notAnOption: 'Bitte wählen Sie eine der Optionen.',
  book: 'Buchen',
  otherTimes: 'Andere Zeiten',
  later: 'Spätere Tage',
  retry: 'Erneut versuchen',
  none: 'An diesen Tagen ist nichts frei.',
  timesIn: 'Zeiten in {zone}',
  days: 'Tage',
  meetingType: 'Welchen Termin möchten Sie?',
  minutes: '{n} Min.',
  booked: 'Termin gebucht',
  cancelled: 'Termin abgesagt',
  with: 'Mit',
  join: 'Am Meeting teilnehmen',
  ics: 'Zum Kalender hinzufügen (.ics)',
  icsCancelled: 'Kalender aktualisieren (.ics)',
  cancel: 'Termin absagen',
  confirmCancel: 'Ja, absagen',
  keep: 'Termin behalten',
};

const es: WidgetStrings = {
  send: 'Enviar',
  back: 'Atrás',
  startOver: 'Empezar de nuevo',
  open: 'Abrir el chat con {name}',
  close: 'Cerrar el chat',
  privacy: 'Política de privacidad',
  you: 'Usted',
  typing: '{name} está escribiendo',
  choose: 'Elegir…',
  name: 'Nombre',
  email: 'Correo electrónico',
  error: 'Lo sentimos, no se pudo completar. Inténtelo de nuevo.',
  missingField: 'Rellene todos los campos.',
  invalidEmail: 'Introduzca un correo electrónico válido.',
  required: 'Responda a esta pregunta.',
  tooLong: 'Como máximo {max} caracteres.',
  notAPhone: 'Introduzca un número de teléfono.',
  notANumber: 'Introduzca un número.',
  notAnInteger: 'Introduzca un número entero.',
  belowMin: 'Introduzca al menos {min}.',
  aboveMax: 'Introduzca como máximo {max}.',
  notAnOption: 'Elija una de las opciones.',
  book: 'Reservar',
  otherTimes: 'Otras horas',
  later: 'Fechas posteriores',
  retry: 'Reintentar',
  none: 'No hay horas libres estos días.',
  timesIn: 'Horas en {zone}',
  days: 'Días',
  meetingType: '¿Qué reunión desea?',
  minutes: '{n} min',
  booked: 'Reunión reservada',
  cancelled: 'Reunión cancelada',
  with: 'Con',
  join: 'Unirse a la reunión',
  ics: 'Añadir al calendario (.ics)',
  icsCancelled: 'Actualizar el calendario (.ics)',
  cancel: 'Cancelar la reunión',
  confirmCancel: 'Sí, cancelarla',
  keep: 'Mantener esta hora',
};

const nl: WidgetStrings = {
  send: 'Versturen',
  back: 'Terug',
  startOver: 'Opnieuw beginnen',
  open: 'Chat met {name} openen',
  close: 'Chat sluiten',
  privacy: 'Privacybeleid',
  you: 'U',
  typing: '{name} typt',
  choose: 'Kiezen…',
  name: 'Naam',
  email: 'E-mail',
  error: 'Sorry, dat is niet gelukt. Probeer het opnieuw.',
  missingField: 'Vul alle velden in.',
  invalidEmail: 'Vul een geldig e-mailadres in.',
  required: 'Beantwoord deze vraag.',
  tooLong: 'Maximaal {max} tekens.',
  notAPhone: 'Vul een telefoonnummer in.',
  notANumber: 'Vul een getal in.',
  notAnInteger: 'Vul een geheel getal in.',
  belowMin: 'Minimaal {min}.',
  aboveMax: 'Maximaal {max}.',
  notAnOption: 'Kies een van de opties.',
  book: 'Boeken',
  otherTimes: 'Andere tijden',
  later: 'Latere data',
  retry: 'Opnieuw proberen',
  none: 'Geen vrije tijden op deze dagen.',
  timesIn: 'Tijden in {zone}',
  days: 'Dagen',
  meetingType: 'Welke afspraak wilt u?',
  minutes: '{n} min',
  booked: 'Afspraak geboekt',
  cancelled: 'Afspraak geannuleerd',
  with: 'Met',
  join: 'Deelnemen aan de vergadering',
  ics: 'Toevoegen aan agenda (.ics)',
  icsCancelled: 'Agenda bijwerken (.ics)',
  cancel: 'Afspraak annuleren',
  confirmCancel: 'Ja, annuleren',
  keep: 'Deze tijd houden',
};

const ja: WidgetStrings = {
  send: '送信',
  back: '戻る',
  startOver: '最初からやり直す',
  open: '{name}とチャットを開く',
  close: 'チャットを閉じる',
  privacy: 'プライバシーポリシー',
  you: 'あなた',
  typing: '{name}が入力中',
  choose: '選択してください',
  name: 'お名前',
  email: 'メールアドレス',
  error: '送信できませんでした。もう一度お試しください。',
  missingField: 'すべての項目を入力してください。',
  invalidEmail: '有効なメールアドレスを入力してください。',
  required: '回答を入力してください。',
  tooLong: '{max}文字以内で入力してください。',
  notAPhone: '電話番号を入力してください。',
  notANumber: '数値を入力してください。',
  notAnInteger: '整数を入力してください。',
  belowMin: '{min}以上を入力してください。',
  aboveMax: '{max}以下を入力してください。',
  notAnOption: '選択肢から選んでください。',
  book: '予約',
  otherTimes: '別の時間',
  later: '以降の日程',
  retry: '再試行',
  none: 'この期間に空き時間はありません。',
  timesIn: '{zone}の時刻',
  days: '日付',
  meetingType: 'どのミーティングをご希望ですか？',
  minutes: '{n}分',
  booked: 'ミーティングを予約しました',
  cancelled: 'ミーティングをキャンセルしました',
  with: '担当',
  join: 'ミーティングに参加',
  ics: 'カレンダーに追加 (.ics)',
  icsCancelled: 'カレンダーを更新 (.ics)',
  cancel: 'ミーティングをキャンセル',
  confirmCancel: 'キャンセルする',
  keep: 'この時間のままにする',
};

export const STRINGS: Record<Language, WidgetStrings> = { en, fr, de, es, nl, ja };

/** Fills `{name}`-style holes; a hole without a value stays as it is. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (hole, key: string) =>
    key in values ? String(values[key]) : hole,
  );
}

/** An answer-check refusal in the visitor's language (the service words it in English). */
export function wordAnswerProblem(t: WidgetStrings, problem: AnswerProblem): string {
  switch (problem.code) {
    case 'required':
      return t.required;
    case 'too-long':
      return fill(t.tooLong, { max: problem.max });
    case 'not-a-phone':
      return t.notAPhone;
    case 'not-a-number':
      return t.notANumber;
    case 'not-an-integer':
      return t.notAnInteger;
    case 'below-min':
      return fill(t.belowMin, { min: problem.min });
    case 'above-max':
      return fill(t.aboveMax, { max: problem.max });
    case 'not-an-email':
      return t.invalidEmail;
    case 'not-an-option':
      return t.notAnOption;
  }
}
