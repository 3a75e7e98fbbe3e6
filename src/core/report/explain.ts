/**
 * The full account of one call site's cost, as Markdown: what the editor's hover, the tree's tooltip and reports
 * show. Every number comes from the estimate; this module only formats it.
 */
import { figureOrigins, formatErrorPct, originMark } from '../calibrate/present';
import type { EstimatedCallSite } from '../engine/engine';
import { USD, formatCostPerRequest, formatMoneyCompact, formatPerMTok, formatRequestsPerMonth, formatTokens, type Currency } from '../format';

/** One-line summary used by CodeLens and inlay hints: `≈ $0.0042/req · $1.3k/mo · gpt-4o`. */
export function lensText(site: EstimatedCallSite, currency: Currency = USD): { text: string; flags: string[] } {
  const flags = siteFlags(site);
  const model = site.model.resolved ?? site.estimate?.pricedModel ?? 'model ?';
  if (!site.estimate) {
    const n = site.usedBy?.length ?? 0;
    return { text: `binds ${model} · cost on ${n} invocation${n === 1 ? '' : 's'}`, flags };
  }
  const e = site.estimate;
  if (e.costPerRequestUsd === null) return { text: `price unknown · ${model}`, flags };
  // Measured figures (from `costlens calibrate`) are marked, with how far the assumptions were off; only a fully
  // measured figure loses the `≈`.
  const origin = figureOrigins(e).overall;
  const mark = origin === 'assumed' ? '' : ` · ${originMark(e)}`;
  return { text: `${origin === 'measured' ? '' : '≈ '}${formatCostPerRequest(e.costPerRequestUsd, currency)}/req · ${formatMoneyCompact(e.monthlyCostUsd, currency)}/mo · ${model}${mark}`, flags };
}


/** Short markers for figures that rest on assumptions or lack inputs. */
export function siteFlags(site: EstimatedCallSite): string[] {
  const flags: string[] = [];
  if (!site.model.resolved && site.role !== 'construct') flags.push('model unresolved');
  const e = site.estimate;
  if (e && e.costPerRequestUsd === null && site.model.resolved) flags.push('price unknown');
  if (e && (e.trafficSource === 'built-in-default' || e.trafficSource === 'loop')) flags.push('assumed traffic');
  return flags;
}

export function explainMarkdown(site: EstimatedCallSite, currency: Currency = USD): string {
  const out: string[] = [];
  const e = site.estimate;
  const money = (v: number | null): string => formatMoneyCompact(v, currency);
  out.push(`**costlens** · ${mdText(site.sdk)} ${mdText(site.api)}${site.role !== 'request' ? ` (${mdText(site.role)})` : ''} · ${mdText(site.provider)}`);
  out.push('');
  const model = site.model.resolved ? codeSpan(site.model.resolved) : `unresolved${site.model.expression ? ` ${codeSpan(mdCode(site.model.expression))}` : ''}`;
  // Two trailing spaces: a Markdown line break, so each fact keeps its own line in hovers.
  out.push(`**Model** ${model} — ${mdText(site.model.resolution)}  `);
  out.push(`**Provider** ${mdText(site.provider)} — ${mdText(site.providerReason)}  `);
  out.push(`**Context** ${mdText(site.context)}${site.inLoop ? ', in a loop' : ''} — ${mdText(site.contextReason)}${site.role === 'invoke' && site.constructId ? '  ' : ''}`);
  if (site.role === 'invoke' && site.constructId) out.push(`**Model bound at** ${codeSpan(site.constructId)}`);
  if (!e) {
    out.push('', `This construction binds the model; its cost is counted on the ${site.usedBy?.length ?? 0} invocation(s) that use it.`);
    for (const id of site.usedBy ?? []) out.push(`- ${codeSpan(id)}`);
    out.push('', `id ${codeSpan(site.id)}`);
    return out.join('  \n');
  }
  out.push('');
  out.push('| | |', '|---|---|');
  out.push(`| Cost per request | **${formatCostPerRequest(e.costPerRequestUsd, currency)}** |`);
  out.push(`| Monthly cost | **${money(e.monthlyCostUsd)}**${e.monthlyCostRange && e.monthlyCostRange.low !== e.monthlyCostRange.high ? ` (range ${money(e.monthlyCostRange.low)}–${money(e.monthlyCostRange.high)})` : ''} |`);
  out.push(`| Requests | ${formatRequestsPerMonth(e.requestsPerMonth)} — ${mdText(e.trafficDetail)} |`);
  out.push(`| Input tokens | ${formatTokens(e.inputTokens)} = ${formatTokens(e.staticInputTokens)} counted${e.dynamicParts ? ` + ${formatTokens(e.dynamicInputTokens)} assumed for ${e.dynamicParts} dynamic part${e.dynamicParts === 1 ? '' : 's'}` : ''}${e.toolTokens ? ` + ${formatTokens(e.toolTokens)} for tools` : ''} (${mdText(e.tokenMethod)}) |`);
  out.push(`| Output tokens | ${formatTokens(e.outputTokens)} (${mdText(e.outputSource)}) |`);
  if (e.price) {
    const p = e.price;
    out.push(`| Prices | ${formatPerMTok(p.inputPerMTok, currency)} in · ${formatPerMTok(p.outputPerMTok, currency)} out${p.cacheReadPerMTok !== null ? ` · ${formatPerMTok(p.cacheReadPerMTok, currency)} cached` : ''} (${codeSpan(p.model, true)}, ${mdText(p.source)}, ${mdText(p.sourceDate)}) |`);
    if (e.breakdown) {
      const b = e.breakdown;
      out.push(`| Per request | input ${formatCostPerRequest(b.inputUsd, currency)}${b.cachedInputUsd ? ` + cached ${formatCostPerRequest(b.cachedInputUsd, currency)}` : ''} + output ${formatCostPerRequest(b.outputUsd, currency)}${b.batchSavingUsd ? ` − batch ${formatCostPerRequest(b.batchSavingUsd, currency)}` : ''} |`);
    }
    out.push(`| Cache · batch | ${e.cacheHitRate ? `${Math.round(e.cacheHitRate * 100)}% of input from the prompt cache` : 'no prompt-cache hits assumed'} · ${e.batchShare ? `${Math.round(e.batchShare * 100)}% via Batch API${p.batchDiscount ? ` (${Math.round(p.batchDiscount * 100)}% off)` : ''}` : `not batched${p.batchDiscount ? ` (Batch API would take ${Math.round(p.batchDiscount * 100)}% off)` : ''}`} |`);
  } else {
    out.push(`| Prices | **unknown** — ${mdText(e.priceUnknownReason ?? e.priceSource)} |`);
  }
  if (e.feature) out.push(`| Feature | ${mdText(e.feature)} |`);
  if (e.calibration) {
    const c = e.calibration;
    out.push(`| Measured | ${c.measuredRequestsPerDay.toLocaleString('en-US')} requests/day${c.window ? ` (${mdText(c.window.from.slice(0, 10))} – ${mdText(c.window.to.slice(0, 10))})` : ''}${c.source ? `, from ${mdText(c.source)}` : ''}; input ${mdText(e.inputSource)}, output ${mdText(e.outputSource)} |`);
    out.push(`| Estimate vs actual | assumptions alone: ${money(c.estimateBeforeUsd)}/mo; actual: ${money(c.actualMonthlyCostUsd)}/mo${c.errorPct !== null ? `; the guess was ${formatErrorPct(c.errorPct)} off` : ''}${c.calibratedErrorPct !== null ? `; calibrated estimate ${formatErrorPct(c.calibratedErrorPct)}` : ''} |`);
  }
  if (e.assumptions.length) {
    out.push('', '**Assumptions**');
    for (const a of e.assumptions) out.push(`- ${mdText(a)}`);
  }
  if (e.price?.notes.length) for (const n of e.price.notes) out.push(`- ${mdText(n)}`);
  out.push('', `id ${codeSpan(site.id)}`);
  return out.join('\n');
}

/**
 * Escapes Markdown in free text (model names, reasons) but keeps inline code written with backticks. A backtick that
 * does not close a code span on the same text is escaped too: otherwise it could pair with a backtick of a later
 * code span and turn that span's text (a model, a file path) into live Markdown (a link).
 */
function mdText(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .split(/(`[^`]+`)/)
    .map((part, i) => {
      const escaped = part.replace(/[\\*_[\]<>|#]/g, (c) => `\\${c}`);
      return i % 2 === 1 ? escaped : escaped.replace(/`/g, '\\`');
    })
    .join('');
}

/** Data (a model id, a call-site id with its file path) as one code span: it cannot close early or span lines. */
function codeSpan(s: string, table = false): string {
  const text = s.replace(/`/g, "'").replace(/\s+/g, ' ');
  return `\`${table ? text.replace(/\|/g, '\\|') : text}\``;
}

function mdCode(s: string): string {
  return s.replace(/`/g, "'").replace(/\s+/g, ' ').slice(0, 80);
}
