/*
 * The console's few control styles, in one place so every view looks alike and every control
 * shows keyboard focus the same way as the public page (a 3-px blue outline).
 */
const focus = 'focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-blue-600';

export const ui = {
	primary: `inline-flex items-center justify-center gap-1.5 rounded-md bg-blue-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-blue-800 disabled:cursor-not-allowed disabled:opacity-60 dark:bg-sky-400 dark:text-slate-950 dark:hover:bg-sky-300 ${focus}`,
	secondary: `inline-flex items-center justify-center gap-1.5 rounded-md border border-slate-400 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:cursor-not-allowed disabled:opacity-60 dark:border-slate-500 dark:bg-slate-900 dark:hover:bg-slate-800 ${focus}`,
	danger: `inline-flex items-center justify-center gap-1.5 rounded-md bg-red-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-800 disabled:cursor-not-allowed disabled:opacity-60 dark:bg-red-400 dark:text-slate-950 dark:hover:bg-red-300 ${focus}`,
	input: `w-full rounded-md border border-slate-500 bg-white px-2 py-1.5 text-sm aria-invalid:border-red-700 dark:border-slate-400 dark:bg-slate-950 dark:aria-invalid:border-red-400 ${focus}`,
	label: 'block text-sm font-semibold',
	card: 'rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-900',
	error: 'text-sm font-medium text-red-700 dark:text-red-300',
	muted: 'text-sm text-slate-600 dark:text-slate-400',
	dialog: 'fixed top-1/2 left-1/2 z-50 max-h-[calc(100dvh-2rem)] w-[36rem] max-w-[calc(100vw-1rem)] -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-xl border border-slate-200 bg-white p-4 shadow-xl sm:p-6 dark:border-slate-700 dark:bg-slate-900',
	overlay: 'fixed inset-0 z-40 bg-slate-950/60'
} as const;
