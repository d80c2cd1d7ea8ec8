/**
 * Where a running diagnosis stands, in words, for both fronts: every planned check counts from the
 * start, and what is not done yet is named, so "7 of 7 done" never shows while a query still runs.
 */
import { t } from '../i18n/i18n.js';
import type { CheckRef, ProgressSnapshot } from '../probes/evidence.js';
import { renderCheck, textParams } from './render.js';
import type { CheckStatus, Lang } from './types.js';

export interface ProgressView {
  done: number;
  total: number;
  /** Checks finished so far, in the order they finished. */
  finished: { status: CheckStatus; title: string }[];
  /** Titles of the checks running or still to run, each once. */
  pending: string[];
}

/** A check's title before it has evidence, from what its plan already knows. */
export function plannedTitle(lang: Lang, ref: CheckRef): string {
  return t(lang, `checks.${ref.kind}`, textParams(ref.data));
}

export function progressView(lang: Lang, progress: ProgressSnapshot): ProgressView {
  const finished = progress.done.map((e) => {
    const { status, title } = renderCheck(lang, e);
    return { status, title };
  });
  const pending = [...new Set([...progress.running, ...progress.planned].map((ref) => plannedTitle(lang, ref)))];
  return { done: progress.done.length, total: progress.done.length + progress.running.length + progress.planned.length, finished, pending };
}

export const NO_PROGRESS: ProgressSnapshot = { planned: [], running: [], done: [] };
