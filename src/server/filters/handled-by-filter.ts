/** What a Nest exception filter looks like to the module. */
interface FilterLike {
  catch(exception: unknown, host: unknown): unknown;
}

type FilterClass = new (...args: never[]) => FilterLike;

/**
 * Raised after one of the app's exception filters handled a handler's error (without
 * rethrowing): Nest would then resolve the call with nothing, and a request would get a `null`
 * success reply. The adapter answers the request with the original error instead.
 */
export class HandledByFilter extends Error {
  constructor(readonly original: unknown) {
    super('The error was handled by an exception filter');
    this.name = 'HandledByFilter';
  }
}

const reportingClasses = new WeakMap<FilterClass, FilterClass>();

function reportingClass(Base: FilterClass): FilterClass {
  const cached = reportingClasses.get(Base);
  if (cached) return cached;
  // Same constructor parameters and @Catch() metadata (both are read through the prototype
  // chain), so Nest builds and matches it as it would the app's class.
  const Reporting = class extends Base {
    override catch(exception: unknown, host: unknown): never {
      super.catch(exception, host);
      throw new HandledByFilter(exception);
    }
  };
  Object.defineProperty(Reporting, 'name', { value: Base.name });
  reportingClasses.set(Base, Reporting);
  return Reporting;
}

/**
 * The app's filter (a class or an instance), made to report that it handled an error. Anything
 * else is returned as it is.
 */
export function reportWhenHandled(filter: unknown): unknown {
  if (typeof filter === 'function' && typeof filter.prototype?.catch === 'function') {
    return reportingClass(filter as FilterClass);
  }
  if (!filter || typeof filter !== 'object') return filter;
  const instance = filter as Partial<FilterLike>;
  if (typeof instance.catch !== 'function') return filter;
  const reporting = Object.create(filter) as FilterLike;
  reporting.catch = (exception, host) => {
    instance.catch?.(exception, host);
    throw new HandledByFilter(exception);
  };
  return reporting;
}
