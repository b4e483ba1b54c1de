/**
 * What @kubernetes/client-node takes from undici (fetch, Agent, ProxyAgent), on node:http(s).
 * The function bundles alias `undici` to this file (infra/bundling.ts): undici is 700 KiB of
 * CommonJS that runs at init, and client-node only needs a fetch that honours the TLS options it
 * computes from the kubeconfig (CA, client certificate, skipTLSVerify, tls-server-name) and hands
 * to `new Agent({ connect })`. Unbundled (tests, scripts), client-node runs on the real undici.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';

type TlsOptions = Pick<
  RequestOptions,
  'ca' | 'cert' | 'key' | 'pfx' | 'passphrase' | 'rejectUnauthorized' | 'servername'
>;

const unsupported = (what: string) =>
  new Error(`${what} is not supported by the function bundles (undici is aliased to ${import.meta.url})`);

/**
 * The TLS options of one request. client-node makes a new Agent for every request, so on undici
 * too each request had a connection of its own; fetch asks for one (`agent: false`). The
 * `keepAlive*` options client-node adds tune the TCP keep-alive of pooled connections only.
 */
export class Agent {
  readonly tls: TlsOptions;
  constructor(options: { connect?: TlsOptions | ((...args: never[]) => void) } = {}) {
    const { connect = {} } = options;
    if (typeof connect === 'function') throw unsupported('A SOCKS proxy (proxy-url)');
    const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = connect;
    this.tls = { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername };
  }
}

export class ProxyAgent {
  constructor() {
    throw unsupported('An HTTP proxy (proxy-url)');
  }
}

interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal | null;
  dispatcher?: Agent;
}

/** Statuses whose response has no body (the Fetch standard's null body statuses). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * fetch as undici's behaves for client-node: a failure to get an answer rejects with
 * `TypeError('fetch failed')` and the cause, an abort with the signal's reason (before the answer
 * and while its body streams), and the body is a web stream.
 */
export function fetch(input: string | URL, init: FetchInit = {}): Promise<Response> {
  const { signal } = init;
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (init.body !== undefined && typeof init.body !== 'string' && !Buffer.isBuffer(init.body)) {
    return Promise.reject(unsupported('A request body that is no string or Buffer'));
  }
  const url = new URL(input);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | undefined;
    const onAbort = () => (response ?? request).destroy(signal?.reason);
    const request = send(
      url,
      { method: init.method ?? 'GET', headers: init.headers, agent: false, ...init.dispatcher?.tls },
      (res) => {
        response = res;
        const status = res.statusCode ?? 0;
        const headers = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          headers.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
        }
        const empty = NULL_BODY.has(status) || init.method === 'HEAD';
        if (empty) res.resume();
        try {
          const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
          resolve(
            new Response(body as ConstructorParameters<typeof Response>[0], {
              status,
              statusText: res.statusMessage,
              headers,
            }),
          );
        } catch (error) {
          res.destroy();
          reject(new TypeError('fetch failed', { cause: error }));
        }
      },
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    request.once('close', () => signal?.removeEventListener('abort', onAbort));
    request.on('error', (error) => {
      if (!response)
        reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error }));
    });
    request.end(init.body);
  });
}
