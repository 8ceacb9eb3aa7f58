import { hash } from '@node-rs/argon2';
import { newId } from '../shared/ids';
import type {
  AgentDoc, BroadcastDoc, Channel, ConfigDoc, CustomerDoc, EventDoc, IdentityDoc, InteractionDoc, SurveyDoc, ThreadDoc,
} from '../shared/model/documents';
import type { Db } from './db';
import { putDocs } from './doc-store';
import type { Logger } from './logger';

export const DEMO_TENANT = { id: 'demo', slug: 'demo', name: 'Northwind Energy (demo)' };
export const DEMO_PASSWORD = 'threadline-demo';

const AGENTS = [
  { email: 'maya@demo.threadline', name: 'Maya Patel', role: 'agent', ext: '1001', skills: ['billing', 'moving'], queues: ['billing', 'moving'] },
  { email: 'jonas@demo.threadline', name: 'Jonas Berg', role: 'agent', ext: '1002', skills: ['technical', 'billing'], queues: ['faults', 'billing'] },
  { email: 'aisha@demo.threadline', name: 'Aisha Okafor', role: 'agent', ext: '1003', skills: ['technical', 'key'], queues: ['faults', 'key'] },
  { email: 'luis@demo.threadline', name: 'Luis Romero', role: 'supervisor', ext: '1004', skills: ['billing', 'technical', 'key', 'spanish'], queues: ['billing', 'faults', 'key'] },
  { email: 'admin@demo.threadline', name: 'Dana Admin', role: 'admin', ext: '1099', skills: [], queues: [] },
] as const;

const QUEUES = [
  { key: 'billing', name: 'Billing & Payments', skill: 'billing', slaSeconds: 60 },
  { key: 'faults', name: 'Outages & Faults', skill: 'technical', slaSeconds: 30 },
  { key: 'moving', name: 'Moving Home', skill: 'moving', slaSeconds: 120 },
  { key: 'key', name: 'Key Accounts', skill: 'key', slaSeconds: 20 },
];
const SKILLS = ['billing', 'technical', 'moving', 'key', 'spanish'];
const REASONS = [
  'Bill explanation', 'Payment arrangement', 'Power outage report', 'Meter reading', 'Move in / move out',
  'Tariff change', 'Direct debit setup', 'Complaint', 'Smart meter install', 'Other',
];

const FIRST = ['Olivia', 'Noah', 'Emma', 'Liam', 'Sofia', 'Mateo', 'Hannah', 'Oscar', 'Chloe', 'Arjun', 'Grace', 'Tomás', 'Ines', 'Kwame', 'Freya', 'Yusuf', 'Lena', 'Dmitri', 'Priya', 'Sean'];
const LAST = ['Walsh', 'Nguyen', 'Schmidt', 'Haddad', 'Kowalski', 'Okoye', 'Fischer', 'Moreau', 'Reyes', 'Lindqvist', 'Brennan', 'Sato', 'Costa', 'Mensah', 'Novak'];
const COMPANIES = ['Harbor Bakery Ltd', 'Greenway Dental', 'Atlas Cold Storage', 'Brightside School Trust'];

const TOPICS: Array<{ reason: string; queue: string; lines: string[] }> = [
  { reason: 'Bill explanation', queue: 'billing', lines: ['My bill is almost double last month — can someone explain?', 'The estimate looks wrong, I sent a reading on the 3rd.'] },
  { reason: 'Power outage report', queue: 'faults', lines: ['No power on our whole street since 7am.', 'Lights flickering then everything went off.'] },
  { reason: 'Payment arrangement', queue: 'billing', lines: ['I lost my job and need to spread the payments.', 'Can I pay the arrears in three parts?'] },
  { reason: 'Move in / move out', queue: 'moving', lines: ['Moving out on Friday, final reading attached.', 'Just moved in, the account is in the old tenant’s name.'] },
  { reason: 'Smart meter install', queue: 'faults', lines: ['Installer didn’t show up for the 10:00 slot.', 'Smart meter display shows no signal.'] },
];

/** A seeded PRNG so the demo day looks the same on every machine. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeds the demo tenant once. Returns false when it already exists. */
export async function seedDemoTenant(db: Db, log: Logger, now: number = Date.now()): Promise<boolean> {
  const exists = await db.query('select 1 from tenants where id = $1', [DEMO_TENANT.id]);
  if (exists.length) return false;
  const t = DEMO_TENANT.id;
  const rand = rng(20261124);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const passwordHash = await hash(DEMO_PASSWORD);

  const base = { tenantId: t, updatedAt: now, _deleted: false };
  const skillIds = new Map(SKILLS.map((s) => [s, newId(now)]));
  const queueIds = new Map(QUEUES.map((q) => [q.key, newId(now)]));
  const config: ConfigDoc[] = [
    ...SKILLS.map((s) => ({ ...base, id: skillIds.get(s)!, kind: 'skill' as const, name: s, version: 1, active: true, data: {} })),
    ...QUEUES.map((q) => ({
      ...base, id: queueIds.get(q.key)!, kind: 'queue' as const, name: q.name, version: 1, active: true,
      data: {
        skillId: skillIds.get(q.skill), slaSeconds: q.slaSeconds, key: q.key,
        // Written channels are answered in hours, not seconds: the SLA is per channel.
        slaByChannel: { call: q.slaSeconds, chat: q.slaSeconds * 2, sms: 3600, email: 4 * 3600, webform: 8 * 3600 },
      },
    })),
    ...REASONS.map((r, i) => ({ ...base, id: newId(now), kind: 'reason' as const, name: r, version: 1, active: true, data: { order: i } })),
    ...['Lunch', 'Training', 'Coaching', 'Admin'].map((r) => ({ ...base, id: newId(now), kind: 'agent_state' as const, name: r, version: 1, active: true, data: {} })),
    { ...base, id: 'tenant-settings', kind: 'tenant_settings' as const, name: 'Tenant settings', version: 1, active: true, data: { defaultRegion: 'GB', threadWindowDays: 14, timezone: 'Europe/London' } },
  ];

  const agentIds: string[] = [];
  const agents: AgentDoc[] = [];
  const users: Array<{ id: string; email: string; name: string; role: string }> = [];
  for (const a of AGENTS) {
    const userId = newId(now);
    users.push({ id: userId, email: a.email, name: a.name, role: a.role });
    const agentId = newId(now);
    if (a.role !== 'admin') agentIds.push(agentId);
    agents.push({
      ...base, id: agentId, userId, displayName: a.name, extension: a.ext, sipUri: `sip:${a.ext}@demo.threadline`,
      skills: a.skills.map((s, i) => ({ skillId: skillIds.get(s)!, level: 8 - i })),
      queueIds: a.queues.map((q) => queueIds.get(q)!),
      state: a.role === 'admin' ? 'offline' : pick(['available', 'available', 'busy', 'wrapup'] as const),
      stateSince: now - Math.floor(rand() * 3_600_000),
    });
  }

  const customers: CustomerDoc[] = [];
  const identities: IdentityDoc[] = [];
  const threads: ThreadDoc[] = [];
  const interactions: InteractionDoc[] = [];
  const events: EventDoc[] = [];
  const surveys: SurveyDoc[] = [];
  const startOfDay = now - 6 * 3_600_000;
  for (let i = 0; i < 36; i++) {
    const company = i < COMPANIES.length ? COMPANIES[i] : undefined;
    const name = `${pick(FIRST)} ${pick(LAST)}`;
    const phone = `+4477009${String(10000 + i * 37).padStart(5, '0')}`;
    const email = `${name.toLowerCase().replace(/[^a-z]+/g, '.')}${i}@example.com`;
    const id = newId(now);
    customers.push({
      ...base, id, name, company, keyAccount: Boolean(company), tier: company ? 'platinum' : pick(['standard', 'standard', 'gold'] as const),
      ownerAgentId: company ? agentIds[2] : undefined,
      identities: [{ kind: 'phone', value: phone }, { kind: 'email', value: email }], provisional: false,
    });
    identities.push(
      { ...base, id: `phone:${phone}`, kind: 'phone', value: phone, customerId: id },
      { ...base, id: `email:${email}`, kind: 'email', value: email, customerId: id },
    );
    if (i % 3 === 2) continue; // some customers have no contact today
    const topic = pick(TOPICS);
    const opened = startOfDay + Math.floor(rand() * 5 * 3_600_000);
    const threadId = newId(opened);
    const channels: Channel[] = i % 4 === 0 ? ['chat', 'call'] : i % 4 === 1 ? ['email', 'sms'] : [pick(['call', 'email', 'chat', 'webform'] as const)];
    let at = opened;
    let prev: InteractionDoc | undefined;
    const agentId = pick(agentIds);
    channels.forEach((channel, k) => {
      const last = k === channels.length - 1;
      const done = !last || rand() < 0.7;
      // Whoever is still waiting got in touch minutes ago, as in a live queue, not hours ago.
      if (!done) at = Math.max(at, now - 15_000 - Math.floor(rand() * 240_000));
      // Real days vary: answer within seconds to minutes, handle for 2–12 minutes, wrap up for ½–2½,
      // and now and then a caller hangs up in the queue.
      const abandoned = done && last && channel === 'call' && rand() < 0.25;
      const answeredAt = done && !abandoned ? at + 5_000 + Math.floor(rand() * (channel === 'call' ? 60_000 : 1_200_000)) : undefined;
      const endedAt = answeredAt !== undefined ? answeredAt + 120_000 + Math.floor(rand() * 600_000) : abandoned ? at + 40_000 : undefined;
      const wrapupDoneAt = answeredAt !== undefined ? endedAt! + 30_000 + Math.floor(rand() * 120_000) : undefined;
      const ix: InteractionDoc = {
        ...base, id: newId(at), threadId, customerId: id, channel, direction: 'inbound',
        queueId: queueIds.get(company ? 'key' : topic.queue),
        agentId: answeredAt !== undefined ? agentId : undefined, state: abandoned ? 'abandoned' : done ? 'done' : 'queued',
        offeredAt: at, answeredAt, endedAt, wrapupDoneAt,
        hopFrom: prev ? { channel: prev.channel, interactionId: prev.id, at } : undefined,
      };
      interactions.push(ix);
      const line = topic.lines[k % topic.lines.length]!;
      events.push({ ...base, id: newId(at), threadId, interactionId: ix.id, customerId: id, kind: 'message', at, body: { from: 'customer', text: line } });
      if (wrapupDoneAt !== undefined) {
        events.push({ ...base, id: newId(wrapupDoneAt), threadId, interactionId: ix.id, customerId: id, kind: 'wrapup', at: wrapupDoneAt, authorId: agentId, body: { reasons: [topic.reason], outcome: last ? 'resolved' : 'follow-up', firstContactResolution: channels.length === 1 } });
        // About half of customers answer the post-contact survey.
        if (last && rand() < 0.5) {
          surveys.push({ ...base, id: newId(wrapupDoneAt + 600_000), interactionId: ix.id, customerId: id, csat: 3 + Math.floor(rand() * 3), effort: 1 + Math.floor(rand() * 4) });
        }
      }
      prev = ix;
      at += 45 * 60_000;
    });
    const stillOpen = interactions[interactions.length - 1]!.state !== 'done';
    const lastIx = interactions[interactions.length - 1]!;
    at = Math.max(lastIx.offeredAt ?? 0, lastIx.wrapupDoneAt ?? lastIx.endedAt ?? 0);
    threads.push({ ...base, id: threadId, customerId: id, subject: topic.reason, status: stillOpen ? 'open' : 'resolved', openedAt: opened, lastActivityAt: at, lastChannel: channels[channels.length - 1] });
  }

  const broadcasts: BroadcastDoc[] = [{
    ...base, id: newId(now), severity: 'warning', title: 'Outage: Riverside district (postcodes RV1–RV4)',
    body: 'Grid fault since 07:10. Engineers on site, estimated restore 14:00. Offer the outage line and log reason "Power outage report".',
    startsAt: now - 4 * 3_600_000, queueIds: [queueIds.get('faults')!],
  }];

  await db.transaction(async (tx) => {
    await tx.query('insert into tenants (id, slug, name, settings) values ($1, $2, $3, $4)', [t, DEMO_TENANT.slug, DEMO_TENANT.name, JSON.stringify({ defaultRegion: 'GB' })]);
    for (const u of users) {
      await tx.query('insert into users (id, tenant_id, email, display_name, role, password_hash) values ($1,$2,$3,$4,$5,$6)', [u.id, t, u.email, u.name, u.role, passwordHash]);
    }
    await putDocs(tx, 'config', config);
    await putDocs(tx, 'agents', agents);
    await putDocs(tx, 'customers', customers);
    await putDocs(tx, 'identities', identities);
    await putDocs(tx, 'threads', threads);
    await putDocs(tx, 'interactions', interactions);
    await putDocs(tx, 'events', events);
    await putDocs(tx, 'broadcasts', broadcasts);
    await putDocs(tx, 'surveys', surveys);
  });
  log.info({ tenant: t, customers: customers.length, threads: threads.length, users: users.length }, 'seeded demo tenant');
  return true;
}
