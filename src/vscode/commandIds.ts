/** Command ids, in one place (they are also contributed in package.json). */
export const COMMANDS = {
  scanWorkspace: 'costlens.scanWorkspace',
  showReport: 'costlens.showReport',
  setTraffic: 'costlens.setTraffic',
  refreshPrices: 'costlens.refreshPrices',
  openUsageFile: 'costlens.openUsageFile',
  showBreakdown: 'costlens.showBreakdown',
  groupByFeature: 'costlens.groupByFeature',
  groupByFolder: 'costlens.groupByFolder',
  revealCallSite: 'costlens.revealCallSite',
  applySuggestion: 'costlens.applySuggestion',
  estimateFeature: 'costlens.estimateFeature',
  compareModels: 'costlens.compareModels',
  setApiKey: 'costlens.setApiKey',
  clearApiKey: 'costlens.clearApiKey',
  importTelemetry: 'costlens.importTelemetry',
} as const;

export const TREE_VIEW_ID = 'costlens.callSites';
