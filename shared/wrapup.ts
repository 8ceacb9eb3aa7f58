import { z } from 'zod';

/**
 * One wrap-up format for every channel: the reasons come from the business-edited `reason` list
 * (config kind `reason`), recorded by id *and* name with the list version, so reports stay right
 * after the list is renamed or reordered.
 */
export const WrapupOutcome = z.enum(['resolved', 'follow-up', 'escalated', 'callback', 'no-action']);
export type WrapupOutcome = z.infer<typeof WrapupOutcome>;

export const WrapupBody = z.object({
  reasonIds: z.array(z.string().min(1).max(64)).min(1, 'choose at least one contact reason').max(10),
  reasons: z.array(z.string().min(1).max(200)).min(1).max(10),
  reasonListVersion: z.number().int().min(0),
  outcome: WrapupOutcome,
  firstContactResolution: z.boolean(),
  notes: z.string().max(5000).optional(),
  followUpAt: z.number().int().min(0).optional(),
  /** After-contact work in ms (end of contact → wrap-up saved), counted rather than hidden in "available". */
  afterContactWorkMs: z.number().int().min(0).optional(),
});
export type WrapupBody = z.infer<typeof WrapupBody>;

export interface ReasonOption {
  id: string;
  name: string;
  version: number;
  order: number;
}

/** The list an agent picks from: active reasons in the business's order; its version is the highest of its entries. */
export function reasonList(config: readonly { id: string; kind: string; name: string; version: number; active: boolean; data: Record<string, unknown> }[]): { options: ReasonOption[]; version: number } {
  const options = config
    .filter((c) => c.kind === 'reason' && c.active)
    .map((c) => ({ id: c.id, name: c.name, version: c.version, order: typeof c.data.order === 'number' ? c.data.order : Number.MAX_SAFE_INTEGER }))
    .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
  return { options, version: options.reduce((v, o) => Math.max(v, o.version), 0) };
}
