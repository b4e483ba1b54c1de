import type {
  Configuration,
  ConfigurationOptions,
  HttpMethod,
  RequestContext,
  ResponseContext,
  V1Pod,
  V1PodList,
} from '@kubernetes/client-node';
import { ApiException, mergeConfiguration, ObjectSerializer } from './client-node.ts';

/**
 * The four core/v1 calls of the reconciler, made as client-node's generated CoreV1Api makes them
 * and from the same parts: the configuration's base server, authentication (the kubeconfig),
 * middleware and HTTP library, and the model serializer. The generated CoreV1Api carries every
 * core/v1 operation in three layers, 600 KiB of the reconcile bundle. pods-api.test.ts holds each
 * call to the generated one's request and result. Build it with `kubeConfig.makeApiClient(PodsApi)`.
 */
export class PodsApi {
  private readonly configuration: Configuration;
  constructor(configuration: Configuration) {
    this.configuration = configuration;
  }

  listNamespacedPod(
    p: { namespace: string; _continue?: string; labelSelector?: string; limit?: number },
    options?: ConfigurationOptions,
  ): Promise<V1PodList> {
    // Query parameters in the generated order, so that the URL is the same.
    const query = { continue: p._continue, labelSelector: p.labelSelector, limit: p.limit };
    return this.call('GET', podsPath(p.namespace), query, 'V1PodList', options);
  }

  readNamespacedPod(p: { namespace: string; name: string }, options?: ConfigurationOptions): Promise<V1Pod> {
    return this.call('GET', podsPath(p.namespace, p.name), {}, 'V1Pod', options);
  }

  /** A JSON patch (the first content type the generated patch prefers). */
  patchNamespacedPod(
    p: { namespace: string; name: string; body: object[] },
    options?: ConfigurationOptions,
  ): Promise<V1Pod> {
    return this.call('PATCH', podsPath(p.namespace, p.name), {}, 'V1Pod', options, p.body);
  }

  readNamespacedPodLog(
    p: { namespace: string; name: string; container?: string; limitBytes?: number; tailLines?: number },
    options?: ConfigurationOptions,
  ): Promise<string> {
    const query = { container: p.container, limitBytes: p.limitBytes, tailLines: p.tailLines };
    return this.call('GET', `${podsPath(p.namespace, p.name)}/log`, query, 'string', options);
  }

  /** What the generated request factory, observable API and response processor do for one call. */
  private async call<T>(
    method: HttpMethod,
    path: string,
    query: Record<string, string | number | undefined>,
    type: string,
    options: ConfigurationOptions | undefined,
    body?: object,
  ): Promise<T> {
    const config = mergeConfiguration(this.configuration, options);
    let request: RequestContext = config.baseServer.makeRequestContext(path, method);
    request.setHeaderParam('Accept', 'application/json, */*;q=0.8');
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) request.setQueryParam(name, String(value));
    }
    if (body) {
      request.setHeaderParam('Content-Type', 'application/json-patch+json');
      request.setBody(JSON.stringify(body));
    }
    await config.authMethods.default?.applySecurityAuthentication(request);
    for (const middleware of config.middleware) request = await middleware.pre(request).toPromise();
    let response: ResponseContext = await config.httpApi.send(request).toPromise();
    for (const middleware of [...config.middleware].reverse())
      response = await middleware.post(response).toPromise();

    const status = response.httpStatusCode;
    if (status >= 200 && status <= 299) {
      const contentType = ObjectSerializer.normalizeMediaType(response.headers['content-type']);
      return ObjectSerializer.deserialize(
        ObjectSerializer.parse(await response.body.text(), contentType),
        type,
        '',
      );
    }
    if (status === 401) throw new ApiException(status, 'Unauthorized', undefined, response.headers);
    throw new ApiException(
      status,
      'Unknown API Status Code!',
      await response.getBodyAsAny(),
      response.headers,
    );
  }
}

const podsPath = (namespace: string, name?: string): string =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
