import { RealtimeConfigError } from '../realtime.config-error.js';

/** A server of the AsyncAPI document: where clients connect. */
export interface RealtimeAsyncApiServer {
  /** Host and optional port, e.g. `api.example.com` or `localhost:3000`. */
  host: string;
  /** @default 'wss' */
  protocol?: 'ws' | 'wss';
  description?: string;
}

/** The AsyncAPI 3.0 document of the app's realtime API (`RealtimeModule.forRoot({ asyncapi })`). */
export interface RealtimeAsyncApiOptions {
  /**
   * HTTP path that serves the document as JSON (`GET`), on the app's HTTP server and outside any
   * global prefix; `false` serves nothing (`AsyncApiDocument.build()` still works, e.g. from a
   * script).
   * @default '/asyncapi.json', and `false` when `NODE_ENV` is `production`
   */
  path?: string | false;
  /** `info.title`. @default 'Realtime API' */
  title?: string;
  /** `info.version`, the version of your API (not of AsyncAPI). @default '1.0.0' */
  version?: string;
  /** `info.description` (CommonMark), above the protocol summary the module adds. */
  description?: string;
  /**
   * The servers clients connect to, by name.
   * @default { production: { host: 'localhost', protocol: 'wss' } }
   */
  servers?: Readonly<Record<string, RealtimeAsyncApiServer>>;
}

/** The `asyncapi` option after defaults. */
export interface ResolvedAsyncApiOptions {
  path: string | false;
  title: string;
  version: string;
  description: string | undefined;
  servers: Readonly<
    Record<string, Required<Omit<RealtimeAsyncApiServer, 'description'>> & RealtimeAsyncApiServer>
  >;
}

const SERVER_NAME = /^[A-Za-z0-9_.-]+$/;

/** Applies defaults and checks the `asyncapi` option at boot. */
export function resolveAsyncApiOptions(
  options: RealtimeAsyncApiOptions = {},
  env: string | undefined = process.env['NODE_ENV'],
): ResolvedAsyncApiOptions {
  const path = options.path ?? (env === 'production' ? false : '/asyncapi.json');
  if (path !== false && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new RealtimeConfigError(
      `"asyncapi.path" must start with "/" (e.g. '/asyncapi.json') or be false; got ${JSON.stringify(path)}.`,
    );
  }
  const servers = options.servers ?? { production: { host: 'localhost' } };
  const resolved: ResolvedAsyncApiOptions['servers'] = {};
  for (const [name, server] of Object.entries(servers)) {
    if (!SERVER_NAME.test(name) || typeof server?.host !== 'string' || server.host === '') {
      throw new RealtimeConfigError(
        `"asyncapi.servers.${name}" needs a name of A-Z, a-z, 0-9, _, . and - and a "host" such as 'api.example.com'.`,
      );
    }
    Object.assign(resolved, { [name]: { ...server, protocol: server.protocol ?? 'wss' } });
  }
  return {
    path,
    title: options.title ?? 'Realtime API',
    version: options.version ?? '1.0.0',
    description: options.description,
    servers: resolved,
  };
}
