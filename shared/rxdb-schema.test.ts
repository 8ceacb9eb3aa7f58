import { describe, expect, it } from 'vitest';
import { collectionNames } from './model/documents';
import { allRxSchemas, rxSchemaFor } from './rxdb-schema';

describe('rxdb schemas derived from zod', () => {
  it('covers every collection without declaring RxDB-owned fields', () => {
    const all = allRxSchemas();
    expect(Object.keys(all).sort()).toEqual([...collectionNames].sort());
    for (const s of Object.values(all)) {
      expect(s.properties._deleted).toBeUndefined();
      expect(s.primaryKey).toBe('id');
      expect(s.properties.id?.maxLength).toBe(64);
      expect(JSON.stringify(s)).not.toContain('"default"');
    }
  });

  it('bounds indexed fields as RxDB requires', () => {
    const events = rxSchemaFor('events');
    expect(events.indexes).toContainEqual(['threadId', 'at']);
    expect(events.properties.at).toMatchObject({ type: 'number', minimum: 0, multipleOf: 1 });
    expect(events.properties.threadId).toMatchObject({ type: 'string', maxLength: 64 });
    // An indexed enum gets a maxLength from its longest member.
    expect(rxSchemaFor('config').properties.kind?.maxLength).toBe('tenant_settings'.length);
  });

  it('keeps field constraints from the zod source', () => {
    const c = rxSchemaFor('customers');
    expect(c.properties.name).toMatchObject({ type: 'string', maxLength: 200 });
    expect(c.properties.tier).toMatchObject({ enum: ['standard', 'gold', 'platinum'] });
    expect(c.required).toContain('identities');
  });
});
