/**
 * Reply drafts live on this machine (localStorage in the app), keyed by thread and channel, so a
 * half-written answer survives a reload, a crash or a dropped network — and is only cleared once
 * the server has accepted the reply.
 */
export interface DraftStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const PREFIX = 'threadline.draft.';
export const MAX_DRAFT = 20_000;

export function draftKey(threadId: string, channel: string): string {
  return `${PREFIX}${threadId}.${channel}`;
}

export function loadDraft(store: DraftStore, threadId: string, channel: string): string {
  try {
    return store.getItem(draftKey(threadId, channel)) ?? '';
  } catch {
    return '';
  }
}

/** Returns false when the store refused (quota, private mode): the composer then warns the agent. */
export function saveDraft(store: DraftStore, threadId: string, channel: string, text: string): boolean {
  try {
    if (text) store.setItem(draftKey(threadId, channel), text.slice(0, MAX_DRAFT));
    else store.removeItem(draftKey(threadId, channel));
    return true;
  } catch {
    return false;
  }
}

export function clearDraft(store: DraftStore, threadId: string, channel: string): void {
  try {
    store.removeItem(draftKey(threadId, channel));
  } catch {
    // Nothing to clear if storage is unavailable.
  }
}
