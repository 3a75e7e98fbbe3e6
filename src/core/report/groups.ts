/**
 * Which group a call site's cost is reported under: its feature (from costlens.yml: a `features` pattern or the
 * site's own `feature:` label), or else its folder. The report, the what-if scenarios (model per feature) and the
 * webview all use these keys, so a scenario written against the report's rows means the same call sites.
 *
 * Folder labels end with `/` (`api/`, `src/jobs/`): the common leading folder of the sites without a feature is
 * skipped (everything under `src/` gives `src/api/`, `src/jobs/` rather than one `src/` row), and sites directly in
 * that folder are reported under it (`./` at the root).
 */
import type { EstimatedCallSite } from '../engine/engine';
import type { UsageConfig } from '../usage/schema';

export type GroupKind = 'feature' | 'folder';

export interface SiteGroup {
  /** `answers` for a feature, `api/` for a folder: the key of `featureModels` in scenarios. */
  key: string;
  kind: GroupKind;
  /** Description of a feature declared in costlens.yml. */
  description: string | null;
  /** True for a feature declared under `features`, false for a free `feature:` label or a folder. */
  declared: boolean;
}

/** The group of every site, by site id. Constructs without a cost of their own take the group of the sites using them. */
export function groupSites(sites: readonly EstimatedCallSite[], usage: UsageConfig | undefined): Map<string, SiteGroup> {
  const out = new Map<string, SiteGroup>();
  const featureOf = new Map<string, string>();
  for (const s of sites) if (s.estimate?.feature) featureOf.set(s.id, s.estimate.feature);
  // A construct whose cost is on its invocations belongs where they do.
  for (const s of sites) {
    if (featureOf.has(s.id) || !s.usedBy?.length) continue;
    const f = s.usedBy.map((id) => featureOf.get(id)).find((x) => x !== undefined);
    if (f) featureOf.set(s.id, f);
  }
  const unfeatured = sites.filter((s) => !featureOf.has(s.id));
  const prefix = commonFolder(unfeatured.map((s) => s.file));
  for (const s of sites) {
    const feature = featureOf.get(s.id);
    if (feature !== undefined) {
      const declared = usage ? Object.hasOwn(usage.features, feature) : false;
      out.set(s.id, { key: feature, kind: 'feature', description: declared ? (usage!.features[feature]!.description ?? null) : null, declared });
    } else {
      out.set(s.id, { key: folderLabel(s.file, prefix), kind: 'folder', description: null, declared: false });
    }
  }
  return out;
}

/** The longest folder (ending with `/`, or '') that contains every file. */
export function commonFolder(files: readonly string[]): string {
  if (files.length === 0) return '';
  let prefix = files[0]!.slice(0, files[0]!.lastIndexOf('/') + 1);
  for (const f of files) {
    while (prefix && !f.startsWith(prefix)) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
  }
  return prefix;
}

function folderLabel(file: string, prefix: string): string {
  const rest = file.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return prefix || './';
  return `${prefix}${rest.slice(0, slash)}/`;
}
