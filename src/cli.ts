/**
 * `costlens` on the command line: dispatch to one module per command (src/cli/*.ts), all on the same engine the
 * editor uses.
 */
import { EXIT, HELP, VERSION, type CliIo } from './cli/common';
import { calibrateCommand } from './cli/calibrate';
import { compareCommand } from './cli/compare';
import { diffCommand } from './cli/diff';
import { estimateCommand } from './cli/estimate';
import { reportCommand } from './cli/report';
import { scanCommand } from './cli/scan';

export { EXIT };

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  scan: scanCommand,
  report: reportCommand,
  estimate: estimateCommand,
  diff: diffCommand,
  compare: compareCommand,
  calibrate: calibrateCommand,
};

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    io.stdout.write(HELP);
    return command ? EXIT.OK : EXIT.USAGE;
  }
  if (command === '-v' || command === '--version') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.OK;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr.write(`costlens: unknown command '${command}'\n\n${HELP}`);
    return EXIT.USAGE;
  }
  return run(rest, io);
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`costlens: internal error: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = EXIT.ERROR;
    },
  );
}
