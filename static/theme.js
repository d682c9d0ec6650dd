// Apply a saved theme before first paint, so a dark-mode visitor never sees a white flash.
// A file rather than an inline script, so the page's CSP needs no 'unsafe-inline' for scripts.
try {
	var t = localStorage.getItem('shardbeat-theme');
	if (t === 'light' || t === 'dark') document.documentElement.dataset.theme = t;
} catch (e) {}
