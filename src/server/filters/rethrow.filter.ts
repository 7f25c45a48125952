import { Catch, type ExceptionFilter } from '@nestjs/common';

/**
 * Applied by `@RealtimeGateway()`: hands every handler error back to the adapter, which knows the
 * message `id` and answers with a coded reply or a `$error` push. Nest's default WebSocket filter
 * would instead send an uncorrelated `exception` event. Your own `@UseFilters()` run first; a
 * filter that rethrows (or throws a `RealtimeException`) ends up here too.
 */
@Catch()
export class RethrowFilter implements ExceptionFilter {
  catch(exception: unknown): never {
    throw exception;
  }
}
