import { capturedNotificationSchema, type CapturedNotification } from '../records/notification.js';
import { mapByKey } from './chat-document.js';

/** The collection in the store document (store-document.ts adds it), empty in older files. */
export const notificationDocumentShape = {
  /** Captured messages by id, in the order captured. */
  notifications: mapByKey(capturedNotificationSchema, (n) => n.id, 'notification'),
};

export function createEmptyNotificationDocument() {
  return { notifications: new Map<string, CapturedNotification>() };
}
