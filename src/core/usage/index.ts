/**
 * The usage file module: schema, loading, traffic resolution, inline pragmas and round-trip editing of
 * `costlens.yml`. The file format is documented in README.md ("The usage file").
 */
export * from './schema';
export * from './usageFile';
export * from './resolveTraffic';
export * from './pragma';
export * from './editUsageFile';
export * from './atomicWrite';
export { compileCallSitePattern, describePatternProblem, isGlobPattern, looksLikeCallSiteId, type CallSitePattern } from './callSitePatterns';
