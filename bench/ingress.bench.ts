import { performance } from 'node:perf_hooks';
import type { BenchResult } from './run';
import { decideThread, type InteractionRef, type ThreadState } from '../shared/thread-assembly';
import { bearer, loginAs, postWebhook, sendMail, startIngressStack, SUPPORT } from '../test/integration/ingress-setup';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100;
};

/**
 * Ingress on embedded PGlite, one process, loopback: signed SMS webhooks (end to end: verify, resolve,
 * assemble, write, idempotency record), SMTP emails, the timeline read of a long history, and the pure
 * thread-assembly decision over a customer with 500 interactions.
 */
export default async function bench(): Promise<BenchResult> {
  const stack = await startIngressStack();
  try {
    // Webhooks from 50 distinct numbers, sequential.
    const hookMs: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < 300; i++) {
      const s = performance.now();
      const res = await postWebhook(stack.url, 'sms', JSON.stringify({ id: `B-${i}`, from: `+4477009${String(20000 + (i % 50)).padStart(5, '0')}`, to: '+447700900000', text: `bench ${i}` }), { key: `B-${i}` });
      if (res.status !== 201) throw new Error(`webhook ${i}: ${res.status}`);
      hookMs.push(performance.now() - s);
    }
    const hookRate = 300 / ((performance.now() - t0) / 1000);

    // Same load, 8 in flight (the tenant write lock serializes them; this shows its cost).
    const t1 = performance.now();
    for (let b = 0; b < 300; b += 8) {
      await Promise.all(Array.from({ length: 8 }, (_, k) => postWebhook(stack.url, 'sms', JSON.stringify({ from: `+4477009${String(30000 + ((b + k) % 50)).padStart(5, '0')}`, to: '+447700900000', text: 'c' }), { key: `C-${b + k}` })));
    }
    const hookRateConcurrent = 304 / ((performance.now() - t1) / 1000);

    const mailMs: number[] = [];
    for (let i = 0; i < 60; i++) {
      const s = performance.now();
      await sendMail(stack.smtp.port, `From: mail${i % 10}@example.org\r\nTo: ${SUPPORT}\r\nSubject: bench ${i}\r\nMessage-ID: <bench-${i}@example.org>\r\n\r\nbody ${i}\r\n`, { from: `mail${i % 10}@example.org`, to: [SUPPORT] });
      mailMs.push(performance.now() - s);
    }

    // Timeline of one customer with a long history (300 SMS in one thread).
    for (let i = 0; i < 300; i++) await postWebhook(stack.url, 'sms', JSON.stringify({ from: '+447700900999', to: '+447700900000', text: `history ${i}` }), { key: `H-${i}` });
    const [row] = await stack.db.query<{ customer_id: string }>(`select data->>'customerId' as customer_id from docs where collection = 'identities' and id = 'phone:+447700900999'`);
    const auth = bearer(await loginAs(stack.url));
    const tlMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const s = performance.now();
      const res = await fetch(`${stack.url}/customers/${row!.customer_id}/timeline`, { headers: auth });
      await res.json();
      tlMs.push(performance.now() - s);
    }

    // Pure decision: 500 interactions over 20 threads.
    const threads: ThreadState[] = Array.from({ length: 20 }, (_, i) => ({ id: `t${i}`, status: i % 3 ? 'resolved' : 'open', openedAt: i * 1e6, lastActivityAt: i * 1e6 + 5e5 }));
    const ixs: InteractionRef[] = Array.from({ length: 500 }, (_, i) => ({ id: `i${i}`, threadId: `t${i % 20}`, channel: (['call', 'email', 'sms'] as const)[i % 3]!, at: i * 4e4 }));
    const n = 20_000;
    const d0 = performance.now();
    for (let i = 0; i < n; i++) decideThread({ id: `new${i}`, channel: 'chat', at: 3e7 + i }, threads, ixs, { threadWindowDays: 7 });
    const decideUs = ((performance.now() - d0) * 1000) / n;

    return {
      name: 'ingress',
      metrics: {
        webhook_sequential_per_s: Math.round(hookRate),
        webhook_p50_ms: pct(hookMs, 50),
        webhook_p95_ms: pct(hookMs, 95),
        webhook_8_in_flight_per_s: Math.round(hookRateConcurrent),
        smtp_email_p50_ms: pct(mailMs, 50),
        smtp_email_p95_ms: pct(mailMs, 95),
        timeline_300_interactions_p50_ms: pct(tlMs, 50),
        timeline_300_interactions_p95_ms: pct(tlMs, 95),
        decide_thread_500_interactions_us: Math.round(decideUs * 10) / 10,
      },
      environment: { database: stack.db.kind },
    };
  } finally {
    await stack.close();
  }
}
