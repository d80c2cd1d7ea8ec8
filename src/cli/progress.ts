/**
 * Where the run stands, on one stderr line that rewrites itself; only on a terminal. Every planned
 * check counts from the start and those not done yet are named, as on the bot's progress card.
 */
import { t } from '../engine/i18n/i18n.js';
import type { ProgressEvent, ProgressListener } from '../engine/probes/evidence.js';
import { progressView } from '../engine/report/progress-view.js';
import type { Lang } from '../engine/report/types.js';

/** The line for one event: `checking r.azurecr.io: 3 of 9 checks done. Still running: …`. */
export function progressLine(lang: Lang, label: string, event: ProgressEvent): string {
  const view = progressView(lang, event.progress);
  const status = t(lang, 'card.progressStatus', { done: String(view.done), total: String(view.total) });
  return `${label}: ${status}${view.pending.length > 0 ? `. ${t(lang, 'card.progressRunning', { names: view.pending.join(', ') })}` : ''}`;
}

export function terminalProgress(stream: NodeJS.WriteStream, label: string, lang: Lang = 'en'): { listener: ProgressListener; done: () => void } {
  return {
    listener: (event: ProgressEvent) => {
      const line = progressLine(lang, label, event);
      // A terminal that reports no size (a bare pty) gets the usual 80 columns.
      stream.write(`\r\x1b[K${[...line].slice(0, Math.max(20, (stream.columns || 80) - 1)).join('')}`);
    },
    done: () => stream.write('\r\x1b[K'),
  };
}
