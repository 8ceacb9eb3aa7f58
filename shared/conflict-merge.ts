/**
 * Conflict rules for replicated documents.
 *
 * - Append-only collections (events, surveys) never conflict: a document is written once; the same
 *   document pushed again is a no-op, anything else is refused.
 * - Mutable documents merge field by field, newest write per field winning. Each document may carry
 *   `fieldTimes` (field → ms of its last edit; fields without an entry date from `updatedAt`), and the
 *   merge keeps the winning time per field, so merging is a join on a semilattice: commutative,
 *   associative and idempotent (shared/conflict-merge.test.ts proves it with fast-check). Ties on time
 *   fall to the larger canonical JSON value, so every replica picks the same winner with no clock
 *   tie-breaker to agree on. A field missing on one side counts as "absent at that side's time", so a
 *   newer removal beats an older value.
 */

export interface MergeableDoc {
  id: string;
  updatedAt: number;
  fieldTimes?: Record<string, number> | undefined;
  [field: string]: unknown;
}

const META = new Set(['id', 'updatedAt', 'fieldTimes']);

/** JSON with object keys sorted and `undefined` members dropped: equal data, equal string. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function sameDoc(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Includes fields only named in `fieldTimes`: a removal keeps its time, so an older value cannot resurrect it. */
function fieldsOf(a: MergeableDoc, b: MergeableDoc): Set<string> {
  const keys = [...Object.keys(a), ...Object.keys(b), ...Object.keys(a.fieldTimes ?? {}), ...Object.keys(b.fieldTimes ?? {})];
  return new Set(keys.filter((k) => !META.has(k)));
}

function timeOf(doc: MergeableDoc, field: string): number {
  return doc.fieldTimes?.[field] ?? doc.updatedAt;
}

/** Merges two versions of one document. Throws if they are different documents. */
export function mergeDocs<T extends MergeableDoc>(a: T, b: T): T {
  if (a.id !== b.id) throw new Error(`cannot merge different documents ${a.id} and ${b.id}`);
  const fields = fieldsOf(a, b);
  const out: Record<string, unknown> = { id: a.id, updatedAt: Math.max(a.updatedAt, b.updatedAt) };
  const times: Record<string, number> = {};
  for (const f of [...fields].sort()) {
    const ta = timeOf(a, f);
    const tb = timeOf(b, f);
    const va = a[f];
    const vb = b[f];
    const takeA = ta > tb || (ta === tb && canonicalJson(va) >= canonicalJson(vb));
    const v = takeA ? va : vb;
    times[f] = takeA ? ta : tb;
    if (v !== undefined) out[f] = v;
  }
  // Times equal to updatedAt are implied; storing only the others keeps documents small and
  // the representation unique (so merge results compare equal structurally).
  const explicit = Object.fromEntries(Object.entries(times).filter(([, t]) => t !== out.updatedAt));
  if (Object.keys(explicit).length) out.fieldTimes = explicit;
  return out as T;
}

/**
 * Stamps an edit: every field that differs from `prev` gets time `now`, earlier fields keep theirs.
 * Clients call this when saving a mutable document so a later merge knows which fields they touched.
 */
export function stampEdit<T extends MergeableDoc>(prev: T, next: T, now: number): T {
  const updatedAt = Math.max(now, prev.updatedAt);
  const times: Record<string, number> = {};
  const fields = fieldsOf(prev, next);
  for (const f of fields) {
    times[f] = canonicalJson(prev[f]) === canonicalJson(next[f]) ? timeOf(prev, f) : updatedAt;
  }
  const explicit = Object.fromEntries(Object.entries(times).filter(([, t]) => t !== updatedAt));
  const { fieldTimes: _drop, ...rest } = next;
  return { ...rest, updatedAt, ...(Object.keys(explicit).length ? { fieldTimes: explicit } : {}) } as T;
}
