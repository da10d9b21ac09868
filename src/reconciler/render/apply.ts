// What apply did, change by change, and every failure with libvirt's code and message.
import { redactSecretsIn } from '../../manifests/redact.js';
import type { ApplyReport, ChangeError, ChangeResult } from '../executor.js';

export function formatChangeError(error: ChangeError): string {
  const code = error.code !== undefined ? `libvirt error ${error.code}${error.codeName ? ` (${error.codeName})` : ''}: ` : '';
  const step = error.step ? ` [while: ${error.step}]` : '';
  return redactSecretsIn(`${code}${error.message}${step}`);
}

const VERB: Record<ChangeResult['outcome'], string> = {
  succeeded: 'done',
  unchanged: 'unchanged',
  failed: 'FAILED',
  refused: 'REFUSED',
  skipped: 'SKIPPED',
};

/** Lines for a progress log and the final report; unchanged objects are left out to keep it short. */
export function formatResult(result: ChangeResult): string {
  const head = `${result.key}: ${result.action} ${VERB[result.outcome]}`;
  return result.error ? `${head}: ${formatChangeError(result.error)}` : head;
}

export interface ApplyReportOptions {
  /** List every change's outcome; off when they were already printed as progress. */
  results?: boolean;
}

export function renderApplyReport(report: ApplyReport, options: ApplyReportOptions = {}): string {
  const lines: string[] = [];
  if (options.results ?? true) for (const r of report.results) if (r.outcome !== 'unchanged') lines.push(formatResult(r));
  const failures = report.results.filter((r) => r.outcome === 'failed');
  if (failures.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push('Failures:');
    for (const f of failures) lines.push(`  ${formatResult(f)}`);
  }
  const c = report.counts;
  if (lines.length > 0) lines.push('');
  lines.push(
    `Apply ${report.ok ? 'complete' : 'incomplete'}: ${c.succeeded} changed, ${c.unchanged} unchanged, ${c.failed} failed, ${c.refused} refused, ${c.skipped} skipped.`,
  );
  return lines.join('\n') + '\n';
}
