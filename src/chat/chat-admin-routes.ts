import { Router } from 'express';
import { z } from 'zod';
import type { LeadStore } from '../store/types.js';
import { chatConfigurationSchema } from '../records/chat-configuration.js';
import { type Dialogue } from '../records/chat-dialogue.js';
import { parseInput } from '../http/parse-input.js';
import { currentChatConfiguration } from './default-configuration.js';
import {
  createDialogue,
  hasUnpublishedChanges,
  type DialogueAdminDeps,
  publishDialogue,
  removeDialogue,
  requireDialogue,
  saveDialogueDraft,
  setDialogueEnabled,
} from './dialogue-admin.js';
import { previewDialogue, previewRequestSchema } from './dialogue-preview.js';
import { dialogueDraftSchema } from './publish-validation.js';

export interface ChatAdminDeps extends DialogueAdminDeps {
  store: DialogueAdminDeps['store'] & LeadStore;
}

export const dialogueIdSchema = z.string().min(1).max(64);

/**
 * The chat's admin API: look and feel, dialogues (draft, publish, on/off), and the preview.
 * Mounted by the app under the admin-authenticated, JSON-parsing `/api` router; handlers
 * parse with zod, call a plain function, and present the result. Bad input is 400
 * VALIDATION_FAILED naming the first bad field, every one in `details.issues`, nothing saved.
 */
export function createChatAdminRoutes(deps: ChatAdminDeps): Router {
  const router = Router();
  const { store } = deps;

  router.get('/configuration', async (_req, res) => {
    res.json(await currentChatConfiguration(store));
  });

  /** Replaces the whole configuration. */
  router.put('/configuration', async (req, res) => {
    const configuration = parseInput(chatConfigurationSchema, req.body, 'configuration');
    await store.saveChatConfiguration(configuration);
    deps.logger.info({ chatEnabled: configuration.chatEnabled }, 'chat configuration saved');
    res.json(await currentChatConfiguration(store));
  });

  router.get('/dialogues', async (_req, res) => {
    const [configuration, dialogues] = await Promise.all([
      currentChatConfiguration(store),
      store.listDialogues(),
    ]);
    res.json({
      chatEnabled: configuration.chatEnabled,
      dialogues: dialogues.map(summarizeDialogue),
    });
  });

  /** Body: the draft (DialogueContent), as for PUT /dialogues/:id/draft. Created switched on. */
  router.post('/dialogues', async (req, res) => {
    const draft = parseInput(dialogueDraftSchema, req.body, 'dialogue draft');
    const dialogue = await createDialogue(deps, draft);
    res
      .status(201)
      .location(`${req.baseUrl}/dialogues/${dialogue.id}`)
      .json(await present(dialogue));
  });

  /** Body: `{ pageUrl, leadId? | email? }`; neither means an anonymous visitor. */
  router.post('/dialogues/preview', async (req, res) => {
    const request = parseInput(previewRequestSchema, req.body, 'preview request');
    res.json(await previewDialogue(deps, request));
  });

  router.get('/dialogues/:id', async (req, res) => {
    res.json(await present(await requireDialogue(store, dialogueId(req.params.id))));
  });

  /** Body: the whole draft (DialogueContent). */
  router.put('/dialogues/:id/draft', async (req, res) => {
    const id = dialogueId(req.params.id);
    await requireDialogue(store, id);
    const draft = parseInput(dialogueDraftSchema, req.body, 'dialogue draft');
    res.json(await present(await saveDialogueDraft(deps, id, draft)));
  });

  router.post('/dialogues/:id/publish', async (req, res) => {
    const outcome = await publishDialogue(deps, dialogueId(req.params.id));
    res.json({
      ...(await present(outcome.dialogue)),
      publishedNow: outcome.publishedNow,
      warnings: outcome.warnings,
    });
  });

  router.post('/dialogues/:id/enable', async (req, res) => {
    res.json(await present(await setDialogueEnabled(deps, dialogueId(req.params.id), true)));
  });

  router.post('/dialogues/:id/disable', async (req, res) => {
    res.json(await present(await setDialogueEnabled(deps, dialogueId(req.params.id), false)));
  });

  router.delete('/dialogues/:id', async (req, res) => {
    await removeDialogue(deps, dialogueId(req.params.id));
    res.status(204).end();
  });

  async function present(dialogue: Dialogue) {
    // Earlier versions serve conversations under way, not the admin: left out of the answer.
    const { earlier: _earlier, ...shown } = dialogue;
    return {
      ...shown,
      hasUnpublishedChanges: hasUnpublishedChanges(dialogue),
      stats: await store.dialogueStats(dialogue.id),
    };
  }

  return router;
}

function dialogueId(raw: unknown): string {
  return parseInput(dialogueIdSchema, raw, 'dialogue id');
}

function summarizeDialogue(dialogue: Dialogue) {
  const { published } = dialogue;
  return {
    id: dialogue.id,
    name: dialogue.draft.name,
    enabled: dialogue.enabled,
    published:
      published === null
        ? null
        : {
            version: published.version,
            name: published.content.name,
            priority: published.content.priority,
            publishedAt: published.publishedAt,
          },
    hasUnpublishedChanges: hasUnpublishedChanges(dialogue),
    createdAt: dialogue.createdAt,
    updatedAt: dialogue.updatedAt,
  };
}
