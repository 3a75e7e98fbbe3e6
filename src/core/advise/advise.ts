/**
 * The advice module: every suggestion for a set of estimated call sites, ranked by monthly saving. Used by the
 * editor (diagnostics, quick fixes, hover), the CLI (`suggestions` in JSON, Markdown, SARIF) and reports.
 */
import type { EstimatedCallSite } from '../engine/engine';
import { attribute } from './attribute';
import { batch } from './batch';
import { boundOutput } from './boundOutput';
import { responseCache } from './cache';
import type { AdviceContext } from './context';
import { promptCache } from './promptCache';
import { rightSize } from './rightSize';
import { route } from './route';
import type { AdviceKind, Suggestion } from './types';

const ADVISORS: Array<[AdviceKind, (site: EstimatedCallSite, ctx: AdviceContext) => Suggestion | null]> = [
  ['right-size', rightSize],
  ['route', route],
  ['cache', responseCache],
  ['prompt-cache', promptCache],
  ['batch', batch],
  ['bound-output', boundOutput],
  ['attribute', attribute],
];

/** The figure a suggestion is ranked and thresholded by: its saving, or what is at stake for the no-saving kinds. */
export function impactUsd(s: Suggestion, site?: EstimatedCallSite): number {
  if (s.monthlySavingUsd !== null && s.monthlySavingUsd > 0) return s.monthlySavingUsd;
  if (s.kind === 'bound-output' && s.atStake && site?.estimate) return s.atStake.usd * site.estimate.requestsPerMonth;
  return s.atStake?.usd ?? 0;
}

export function adviseSites(sites: EstimatedCallSite[], ctx: AdviceContext): Suggestion[] {
  const out: Suggestion[] = [];
  for (const site of sites) {
    for (const [kind, advisor] of ADVISORS) {
      if (ctx.settings.disabled.has(kind)) continue;
      let s: Suggestion | null = null;
      try {
        s = advisor(site, ctx);
      } catch {
        s = null; // an advisor failing on odd input must not take the others down
      }
      if (!s) continue;
      if (impactUsd(s, site) < ctx.settings.minMonthlySaving) continue;
      out.push(s);
    }
  }
  return out.sort((a, b) => (b.monthlySavingUsd ?? -1) - (a.monthlySavingUsd ?? -1) || a.id.localeCompare(b.id));
}
