/** What the module reads of Nest's `ApplicationConfig` (every version from 10 to 12 has it). */
interface EnhancerLists {
  getGlobalFilters(): unknown[];
  getGlobalPipes(): unknown[];
  getGlobalInterceptors(): unknown[];
  getGlobalGuards(): unknown[];
  getGlobalRequestFilters?(): unknown[];
  getGlobalRequestPipes?(): unknown[];
  getGlobalRequestInterceptors?(): unknown[];
  getGlobalRequestGuards?(): unknown[];
}

/**
 * Whether the app has a global guard, interceptor, pipe or filter (`app.useGlobal*()`, or an
 * `APP_GUARD`-style provider). An app whose configuration cannot be read counts as having one:
 * its handlers then always take Nest's own path.
 */
export function hasGlobalEnhancers(app: object): boolean {
  const config = (app as { config?: Partial<EnhancerLists> }).config;
  if (!config || typeof config.getGlobalFilters !== 'function') return true;
  const lists = [
    config.getGlobalFilters(),
    config.getGlobalPipes?.(),
    config.getGlobalInterceptors?.(),
    config.getGlobalGuards?.(),
  ];
  if (lists.some((list) => !Array.isArray(list) || list.length > 0)) return true;
  const requestScoped = [
    config.getGlobalRequestFilters?.(),
    config.getGlobalRequestPipes?.(),
    config.getGlobalRequestInterceptors?.(),
    config.getGlobalRequestGuards?.(),
  ];
  return requestScoped.some(
    (list) => list !== undefined && (!Array.isArray(list) || list.length > 0),
  );
}
