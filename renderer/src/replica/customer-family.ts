import type { RxDocument } from 'rxdb';
import type { ReplicaDatabase, ReplicaDocTypes } from './database';

export interface CustomerFamily {
  /** The surviving customer after following `mergedInto`. */
  customer: RxDocument<ReplicaDocTypes['customers']>;
  /** It and every customer merged into it, directly or through others: their history is its history. */
  ids: string[];
}

/** Resolves a customer id to the surviving customer and the ids whose threads belong to it. */
export async function customerFamily(db: ReplicaDatabase, customerId: string): Promise<CustomerFamily | undefined> {
  let customer = await db.customers.findOne(customerId).exec();
  for (let hops = 0; customer?.mergedInto && hops < 16; hops++) customer = await db.customers.findOne(customer.mergedInto).exec();
  if (!customer) return undefined;
  const family = new Set([customer.id]);
  let frontier = [customer.id];
  while (frontier.length) {
    const merged = await db.customers.find({ selector: { mergedInto: { $in: frontier } } }).exec();
    frontier = merged.map((m) => m.id).filter((m) => !family.has(m));
    frontier.forEach((m) => family.add(m));
  }
  return { customer, ids: [...family] };
}
