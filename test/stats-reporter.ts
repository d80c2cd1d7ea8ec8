/** Mocha's spec reporter, which also writes its counts to $ACR_TEST_STATS for the closing summary. */
import { writeFileSync } from 'node:fs';
import Mocha from 'mocha';

export interface Stats {
  passes: number;
  failures: number;
  pending: number;
}

export class SpecWithStats extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once('end', () => {
      const file = process.env.ACR_TEST_STATS;
      const stats = runner.stats;
      if (file && stats) writeFileSync(file, JSON.stringify({ passes: stats.passes, failures: stats.failures, pending: stats.pending }));
    });
  }
}
