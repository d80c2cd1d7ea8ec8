/** Every report a test produces goes through the product's own validator (src/engine/report/validate.ts). */
import { reportProblems } from '../../src/engine/report/validate.js';

export function assertValidReport(report: unknown): void {
  const problems = reportProblems(report);
  if (problems) throw new Error(`report does not match its schema: ${problems}`);
}
