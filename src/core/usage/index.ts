/**
 * The usage file module: schema, loading, traffic resolution, inline pragmas and round-trip editing of
 * `costlens.yml`. See REFERENCE.md for the file format.
 */
export * from './schema';
export * from './usageFile';
export * from './resolveTraffic';
export * from './pragma';
export * from './editUsageFile';
export * from './atomicWrite';
export { compileCallSitePattern, describePatternProblem, isGlobPattern, looksLikeCallSiteId, type CallSitePattern } from './callSitePatterns';
