// Preloaded into a child (NODE_OPTIONS=--require …) by reliability/hostile.ts: at exit, the
// process's peak resident set size (KiB, from getrusage) is appended to $AUTODL_PEAK_RSS_FILE.
const file = process.env.AUTODL_PEAK_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      require('node:fs').appendFileSync(file, `${process.resourceUsage().maxRSS}\n`);
    } catch {
      /* best effort */
    }
  });
}
