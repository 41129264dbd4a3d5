import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AccessLogOptions, type LogSink, logRequest } from './access-log.js';
import { type HttpListener, createHttpListener } from './http-listener.js';
import type { ServerSettings } from './server-config.js';
import type { MultiprocessType } from './server-options.js';
import type { ServerLogger } from './server-logger.js';
import type { TlsMaterial } from './tls.js';
import { type ServerHandler, createServerHandler } from './tracker-router.js';

/**
 * One serving process of roundup-server (the only one, or a fork-mode
 * worker): the tracker router behind the listening socket, with access
 * logging. Settings can be swapped on SIGHUP without dropping a request.
 */

/** A serving process, listening. */
export interface Serving {
  readonly port: number;
  readonly handler: ServerHandler;
  /** Applies re-read settings: the tracker map, index template and favicon (the socket stays as it is). */
  reconfigure(settings: ServerSettings): void;
  /** Graceful stop: stop accepting, finish requests in flight, close the trackers. */
  stop(): Promise<void>;
}

/** Writes server messages to the log sink, one line each. */
export function sinkLogger(sink: LogSink): ServerLogger {
  return {
    error: (message) => sink.write(`rup:server error: ${message}`),
    warn: (message) => sink.write(`rup:server warning: ${message}`),
    info: (message) => sink.write(`rup:server: ${message}`),
  };
}

/** Creates the router, binds the socket (BindError when it cannot) and serves. */
export async function startServing(settings: ServerSettings, mode: MultiprocessType, tls: TlsMaterial | null, sink: LogSink): Promise<Serving> {
  const logger = sinkLogger(sink);
  const handler = createServerHandler({
    trackers: settings.trackers,
    basePath: settings.basePath,
    indexTemplate: settings.template,
    favicon: settings.favicon,
    trustedProxies: settings.trustedProxies,
    includeHeaders: settings.includeHeaders,
    reloadEachRequest: mode === 'debug',
    logger,
  });
  const access: AccessLogOptions = { sink, hostnames: settings.logHostnames, proxyHeader: settings.logProxyHeader, viaLogger: settings.logViaLogger };
  const listener: HttpListener = createHttpListener(
    (req: IncomingMessage, res: ServerResponse) => {
      logRequest(access, req, res);
      handler(req, res);
    },
    { tls, httpVersion: settings.httpVersion },
  );
  const port = await listener.listen(settings.host, settings.port);
  return {
    port,
    handler,
    reconfigure(next) {
      handler.reconfigure({ trackers: next.trackers, indexTemplate: next.template, favicon: next.favicon });
      access.hostnames = next.logHostnames;
      access.proxyHeader = next.logProxyHeader;
      access.viaLogger = next.logViaLogger;
    },
    async stop() {
      await listener.stop();
      await handler.close();
    },
  };
}
