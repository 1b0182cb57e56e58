import { z } from 'zod';

/**
 * The chat's look and feel and site rules, as the admin saves them and the widget shows them
 * (Dynamic Chat's "Chat Settings", marketo-facts.md §7): colours, launcher, bot, privacy link,
 * allowed sites and blocked email domains.
 */

const hexColour = z
  .string()
  .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, { error: 'must be a hex colour like #1a73e8' });
/** A link a visitor may be shown (an avatar, a privacy policy, a document card's file). */
export const httpUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2048);
const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/, {
    error: 'must be a host name such as example.com, *.example.com or localhost:3000',
  });

export const chatConfigurationSchema = z.object({
  /** The global "Chat Enabled" switch: off, no dialogue is served. */
  chatEnabled: z.boolean(),
  style: z.object({
    fontFamily: z.string().trim().min(1).max(200),
    fontSizePx: z.number().int().min(10).max(24),
    colours: z.object({
      primary: hexColour,
      background: hexColour,
      text: hexColour,
      botBubble: hexColour,
      visitorBubble: hexColour,
    }),
    launcher: z.object({
      position: z.enum(['bottom-right', 'bottom-left']),
      paddingPx: z.number().int().min(0).max(200),
    }),
  }),
  bot: z.object({
    name: z.string().trim().min(1).max(60),
    headerLabel: z.string().trim().min(1).max(80),
    /** Square image, < 256 KB, < 200x200 px, jpg/png/gif/webp/svg (Dynamic Chat's rules). */
    avatar: z
      .object({
        url: httpUrlSchema,
        type: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/svg+xml']),
        sizeBytes: z
          .number()
          .int()
          .positive()
          .max(256 * 1024 - 1),
        widthPx: z.number().int().positive().max(199),
        heightPx: z.number().int().positive().max(199),
      })
      .refine((a) => a.widthPx === a.heightPx, {
        error: 'avatar must be square',
        path: ['widthPx'],
      })
      .nullable(),
    /** The "typing" pause before each bot message. */
    responseDelaySeconds: z.number().min(0).max(10),
    notificationSound: z.boolean(),
  }),
  privacyPolicyUrl: httpUrlSchema.nullable(),
  /** The widget works only on these sites (and the service's own demo page). */
  allowedDomains: z.array(domain).max(50),
  /** Emails from these domains are refused by email capture (Dynamic Chat allows up to 50). */
  blockedEmailDomains: z.array(domain).max(50),
});
export type ChatConfiguration = z.infer<typeof chatConfigurationSchema>;
