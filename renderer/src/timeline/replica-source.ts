import { customerFamily } from '../replica/customer-family';
import type { ReplicaDatabase } from '../replica/database';
import { TimelineData } from './model';

/**
 * The customer's timeline read from the local replica alone (works offline): the customer is
 * resolved through `mergedInto`, and the history of every customer merged into it is included.
 */
export async function replicaTimeline(db: ReplicaDatabase, customerId: string): Promise<TimelineData | undefined> {
  const fam = await customerFamily(db, customerId);
  if (!fam) return undefined;
  const { customer, ids } = fam;
  const threads = await db.threads.find({ selector: { customerId: { $in: ids } } }).exec();
  const interactions = await db.interactions.find({ selector: { customerId: { $in: ids } } }).exec();
  const events = interactions.length ? await db.events.find({ selector: { interactionId: { $in: interactions.map((i) => i.id) } } }).exec() : [];
  const agents = await db.agents.find().exec();
  const plain = <T,>(d: { toJSON(): T }) => ({ ...d.toJSON(), _deleted: false });
  return TimelineData.parse({
    customer: plain(customer),
    customerIds: ids,
    threads: threads.map(plain),
    interactions: interactions.map(plain),
    events: events.map(plain),
    agents: Object.fromEntries(agents.map((a) => [a.id, a.displayName])),
  });
}
