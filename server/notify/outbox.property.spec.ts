import fc from 'fast-check';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { freshHistoryDatabase, historyDatabases } from '#testing/databases';
import { spreadingIncident } from '#testing/fixtures/incident';
import { seedSubscribers, type SeedSubscriber } from '#testing/outbox';
import { noticeConcerns } from './audience.ts';
import { Outbox, type OutboxJob, type SendOutcome, type Transport } from './outbox.ts';
import { DatabaseSubscriberStore } from './subscriber-store.ts';

/*
 * The outbox's promise under generated audiences, page sizes and deaths: whatever the page size
 * and however many times the sending instance dies (before a send, or after it and before its
 * ack), every confirmed subscriber a notice concerns gets it, nobody else does, and the only
 * repeats are sends that a death left unacked, one per death at most.
 */
const notice = { type: 'incident.opened' as const, incident: spreadingIncident({ status: 'investigating', resolvedAt: null }) };
const scope = { clusterIds: [2, 5], shardIds: [11, 12, 40, 41], totalShards: 64 };

const audience = fc.array(
	fc.record({
		confirmed: fc.boolean(),
		scope: fc.oneof(
			fc.constant({ kind: 'bot' as const }),
			fc.record({ kind: fc.constant('clusters' as const), clusterIds: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 3 }) })
		)
	}),
	{ maxLength: 25 }
);
/** Deaths: after how many sends (counted across instances) an instance dies, and whether the send that kills it went out. */
const deaths = fc.array(fc.record({ after: fc.integer({ min: 0, max: 30 }), sent: fc.boolean() }), { maxLength: 3 });

describe.each(historyDatabases)('outbox properties on $name', (target) => {
	const database = freshHistoryDatabase(target);
	afterEach(database.close);

	it('delivers to exactly the concerned confirmed subscribers, repeating only sends a death left unacked', async () => {
		await fc.assert(
			fc.asyncProperty(audience, fc.integer({ min: 1, max: 7 }), deaths, async (people, pageSize, plan) => {
				const db = await database.open();
				try {
					const seeds: SeedSubscriber[] = people.map((p, i) => ({ kind: 'email', target: `p${i}@example.com`, confirmed: p.confirmed, scope: p.scope }));
					const ids = await seedSubscribers(db, seeds);
					const received: number[] = [];
					let t = 1_000;
					let sends = 0;
					let unackedDeaths = 0;
					const pending = [...plan].sort((a, b) => a.after - b.after);
					const instance = () => {
						let dead = false;
						const transport: Transport = {
							async send(job: OutboxJob): Promise<SendOutcome> {
								if (dead) return new Promise(() => {});
								const death = pending[0] && pending[0].after <= sends ? pending.shift() : undefined;
								if (death) {
									dead = true;
									if (death.sent) {
										received.push((job.to as { subscriber: { id: number } }).subscriber.id);
										unackedDeaths++;
									}
									return new Promise(() => {});
								}
								sends++;
								received.push((job.to as { subscriber: { id: number } }).subscriber.id);
								return { kind: 'sent' };
							}
						};
						const outbox = new Outbox({ db, subscribers: new DatabaseSubscriberStore(db), logger: pino({ enabled: false }), transports: { email: transport }, pageSize, leaseMs: 1_000, concurrency: 1, now: () => t });
						return { outbox, dead: () => dead };
					};
					let current = instance();
					await current.outbox.enqueue(notice, { scope });
					for (let round = 0; round < 50; round++) {
						// An instance that died mid-batch never finishes its tick: it is left behind, its lease runs out, a new one starts.
						const step = await Promise.race([current.outbox.drain(), new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 50))]);
						if (step === 'stuck' || current.dead()) {
							t += 1_001;
							current = instance();
							continue;
						}
						if (await current.outbox.settled()) break;
						t += 1_001;
					}
					const expected = ids.filter((_, i) => people[i]!.confirmed && noticeConcerns(scope, people[i]!.scope)).sort((a, b) => a - b);
					expect([...new Set(received)].sort((a, b) => a - b)).toEqual(expected);
					expect(received.length - expected.length).toBeLessThanOrEqual(unackedDeaths);
				} finally {
					await database.close();
				}
			}),
			{ numRuns: 12 }
		);
	}, 120_000);
});
