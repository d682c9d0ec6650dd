import { fmt, markdownTable, ok } from './print.ts';
import { benchSubscribers } from './subscribers.ts';

/*
 * `tsx bench/subscribers-only.ts [--quick] [--kill]`: only the subscribers figures (also `npm run
 * bench -- --subscribers`). --quick: 10,000 mails and 1,000 webhooks instead of 100,000 and
 * 10,000; --kill: the mid-send restart is a SIGKILL instead of a clean shutdown;
 * --smtp-connections=N: the server's SMTP pool (10 unless given).
 */
const quick = process.argv.includes('--quick');
const restart = process.argv.includes('--kill') ? 'kill' : 'close';
const figures = await benchSubscribers({
	emails: quick ? 10_000 : 100_000,
	discords: quick ? 1_000 : 10_000,
	restartAt: 0.4,
	restart,
	discordPerS: 2_000,
	smtpConnections: Number(process.argv.find((a) => a.startsWith('--smtp-connections='))?.slice(20) ?? 10),
	serverCpu: 0,
	log: (line) => process.stderr.write(`[bench] ${line}\n`)
});
const f = figures;
// Killed, sends in flight when it died may have been accepted and not acked: at most two loops × 32 lanes of them, each the same message again.
const IN_FLIGHT = 64;
const once = f.missing === 0 && (f.duplicates === 0 || (restart === 'kill' && f.duplicates <= IN_FLIGHT && f.duplicatesSameMessage + f.discordDuplicates === f.duplicates));
const flat = f.rssSecondHalfMaxMiB <= f.rssFirstHalfMaxMiB * 1.15;
console.log(
	[
		`**Subscribers** (${fmt(f.emails)} confirmed mail subscribers and ${fmt(f.discords)} Discord webhooks, one incident notice, PostgreSQL outbox; SMTP server and Discord stand-in on loopback; the server ${restart === 'kill' ? 'killed (SIGKILL)' : 'restarted (clean shutdown)'} at ${fmt(40)} % of the mails)`,
		'',
		...markdownTable(
			['figure', 'measured', 'target'],
			[
				[
					restart === 'kill' ? `nothing lost; repeats only of sends in flight at the kill (≤ ${IN_FLIGHT}), each the same message` : 'every message delivered exactly once',
					`${fmt(f.missing)} missing, ${fmt(f.duplicates)} duplicates${f.duplicates ? ` (${fmt(f.duplicatesSameMessage)} mails with the same Message-ID, ${fmt(f.discordDuplicates)} Discord messages created twice)` : ''}; outbox rows ${JSON.stringify(f.states)}`,
					ok(once)
				],
				['mails per second, wall clock (restart gap left out)', `${fmt(f.emailsPerS)} /s (Discord ${fmt(f.discordPerS)} /s at a ${fmt(2_000)} /s budget)`, '—'],
				['messages per server CPU-second (≥ 500 mails/s on one core)', `${fmt(f.messagesPerCpuS)} (${fmt(f.serverCpuS, 1)} s of server CPU; the sinks used ${fmt(f.sinkCpuS, 1)} s)`, ok(f.messagesPerCpuS >= 500)],
				['time to deliver all, restart included', `${fmt(f.totalS, 1)} s (restart gap ${fmt(f.restartGapS, 1)} s)`, '—'],
				['server RSS: before / median / max while sending', `${fmt(f.rssBeforeMiB)} / ${fmt(f.rssMedianMiB)} / ${fmt(f.rssMaxMiB)} MiB`, '—'],
				['flat memory: max RSS, first half vs second half of the sending', `${fmt(f.rssFirstHalfMaxMiB)} vs ${fmt(f.rssSecondHalfMaxMiB)} MiB`, ok(flat)]
			]
		)
	].join('\n')
);
process.exit(once ? 0 : 1);
