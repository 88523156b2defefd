// Times as the API writes them, and durations as users type them: the one parser is
// src/util/time.ts; re-exported here for the watch layer's readers.
export { parseApiTime, parseDuration, parseSince } from '../util/time.js';
