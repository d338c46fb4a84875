/** `spec-analyzer <command>`: document checks and analyses from the command line, with no server and no database. */
import { runIngestCommand } from './ingest-command.js';
import { runAnalyzeCommand } from './analyze-command.js';

const USAGE = `Usage: spec-analyzer <command> [options]

Commands:
  ingest FILE.pdf [--ocr auto|off] [--json]
      Read a PDF as the analyzer would: pages, printed labels, characters per page, OCR'd pages, timing.
  analyze FILE.pdf [--config Q.json] [--sections a,b] [--engine extractive|llm] [--guardrails TEXT] [--thorough] [--out result.json]
      Run one analysis offline (extractive) or with an LLM; prints a summary table and writes the full result.
  serve
      Start the web service (same as npm start).
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'ingest':
      return runIngestCommand(rest);
    case 'analyze':
      return runAnalyzeCommand(rest);
    case 'serve':
      await import('../server.js');
      return new Promise<number>(() => undefined); // runs until signalled
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}
