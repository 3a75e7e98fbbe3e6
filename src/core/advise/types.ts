/** What a suggestion is: the architectural change, what it saves per month and why, and (where safe) the edit. */
import type { SourceRange } from '../types';

export type AdviceKind = 'right-size' | 'route' | 'cache' | 'prompt-cache' | 'batch' | 'bound-output' | 'attribute';

export type Confidence = 'high' | 'medium' | 'low';

/** A text change in one file. Ranges are positions in the file as it was scanned. */
export interface TextChange {
  file: string;
  range: Pick<SourceRange, 'startOffset' | 'endOffset' | 'startLine' | 'startColumn' | 'endLine' | 'endColumn'>;
  newText: string;
}

/** An edit a quick fix applies: changes in existing files and/or new files. */
export interface SuggestedEdit {
  title: string;
  changes: TextChange[];
  /** New files to create (a router module, a batch submission script). Never overwrites an existing file. */
  newFiles: Array<{ file: string; content: string }>;
}

export interface Alternative {
  model: string;
  provider: string;
  tier: number;
  costPerRequestUsd: number;
  monthlyCostUsd: number;
  monthlySavingUsd: number;
}

export interface Suggestion {
  /** Stable: `<call-site id>:<kind>` (plus `:<detail>` when a site has several of a kind). */
  id: string;
  siteId: string;
  file: string;
  line: number;
  kind: AdviceKind;
  /** One line, for lists and diagnostics. */
  message: string;
  /** Estimated saving per month; null when it cannot be computed (unknown price) or the kind saves nothing directly. */
  monthlySavingUsd: number | null;
  /** For `attribute`: the spend that is not measured today; for `bound-output`: the worst case per request without a limit. */
  atStake?: { label: string; usd: number } | undefined;
  /** The assumptions behind the saving, in words. */
  assumptions: string[];
  confidence: Confidence;
  /** Why this confidence, e.g. `same provider, one tier down, short structured output`. */
  rationale: string;
  edit?: SuggestedEdit | undefined;
  /** Right-size alternatives, cheapest saving first. */
  alternatives?: Alternative[] | undefined;
  /** Sources of the rules used (provider documentation). */
  sources: string[];
}
