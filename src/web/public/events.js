// The progress events that end a run's stream. Shared by the browser (analyzer.js) and the server
// (src/jobs/execute-run.ts, src/http/progress-stream.ts), which imports this file through events.d.ts.
export const TERMINAL_EVENTS = new Set(['analysis_complete', 'analysis_stopped', 'analysis_failed']);
