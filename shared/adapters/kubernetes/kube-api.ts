import type {
  Configuration,
  ConfigurationOptions,
  HttpMethod,
  RequestContext,
  ResponseContext,
  V1Job,
  V1JobList,
  V1Pod,
  V1PodList,
  V1Status,
} from '@kubernetes/client-node';
import { ApiException, mergeConfiguration, ObjectSerializer } from './client-node.ts';

type Query = Record<string, string | number | undefined>;
/** A request body: the value, its model type for the serializer, its content type. */
type Body = { value: unknown; type: string; contentType: string };

/**
 * The Kubernetes calls of the functions (jobs and pods), made as client-node's generated
 * BatchV1Api and CoreV1Api make them and from the same parts: the configuration's base server,
 * authentication (the kubeconfig), middleware and HTTP library, and the model serializer. The
 * generated APIs carry every operation of their group in three layers (CoreV1Api alone is 600 KiB
 * of a bundle). Methods and parameters are the generated ones' (query parameters in their order);
 * kube-api.test.ts holds each call to the generated one's request and result.
 * Build it with `kubeConfig.makeApiClient(KubeApi)`.
 */
export class KubeApi {
  private readonly configuration: Configuration;
  constructor(configuration: Configuration) {
    this.configuration = configuration;
  }

  async createNamespacedJobWithHttpInfo(
    p: { namespace: string; body: V1Job },
    options?: ConfigurationOptions,
  ): Promise<{ data: V1Job; headers: Record<string, string> }> {
    const body = { value: p.body, type: 'V1Job', contentType: 'application/json' };
    return this.call('POST', jobsPath(p.namespace), {}, 'V1Job', options, body);
  }

  async readNamespacedJob(
    p: { namespace: string; name: string },
    options?: ConfigurationOptions,
  ): Promise<V1Job> {
    return (await this.call<V1Job>('GET', jobsPath(p.namespace, p.name), {}, 'V1Job', options)).data;
  }

  async deleteNamespacedJob(
    p: { namespace: string; name: string; propagationPolicy?: string },
    options?: ConfigurationOptions,
  ): Promise<V1Status> {
    const query = { propagationPolicy: p.propagationPolicy };
    // No DeleteOptions body, but its content type, as the generated call sends.
    const body = { value: undefined, type: 'V1DeleteOptions', contentType: 'application/json' };
    return (
      await this.call<V1Status>('DELETE', jobsPath(p.namespace, p.name), query, 'V1Status', options, body)
    ).data;
  }

  /** A JSON patch (the first content type the generated patch prefers). */
  async patchNamespacedJob(
    p: { namespace: string; name: string; body: object[] },
    options?: ConfigurationOptions,
  ): Promise<V1Job> {
    return (
      await this.call<V1Job>('PATCH', jobsPath(p.namespace, p.name), {}, 'V1Job', options, jsonPatch(p.body))
    ).data;
  }

  async listNamespacedJob(
    p: { namespace: string; _continue?: string; labelSelector?: string; limit?: number },
    options?: ConfigurationOptions,
  ): Promise<V1JobList> {
    const query = { continue: p._continue, labelSelector: p.labelSelector, limit: p.limit };
    return (await this.call<V1JobList>('GET', jobsPath(p.namespace), query, 'V1JobList', options)).data;
  }

  async listNamespacedPod(
    p: { namespace: string; _continue?: string; labelSelector?: string; limit?: number },
    options?: ConfigurationOptions,
  ): Promise<V1PodList> {
    const query = { continue: p._continue, labelSelector: p.labelSelector, limit: p.limit };
    return (await this.call<V1PodList>('GET', podsPath(p.namespace), query, 'V1PodList', options)).data;
  }

  async readNamespacedPod(
    p: { namespace: string; name: string },
    options?: ConfigurationOptions,
  ): Promise<V1Pod> {
    return (await this.call<V1Pod>('GET', podsPath(p.namespace, p.name), {}, 'V1Pod', options)).data;
  }

  async patchNamespacedPod(
    p: { namespace: string; name: string; body: object[] },
    options?: ConfigurationOptions,
  ): Promise<V1Pod> {
    return (
      await this.call<V1Pod>('PATCH', podsPath(p.namespace, p.name), {}, 'V1Pod', options, jsonPatch(p.body))
    ).data;
  }

  async readNamespacedPodLog(
    p: { namespace: string; name: string; container?: string; limitBytes?: number; tailLines?: number },
    options?: ConfigurationOptions,
  ): Promise<string> {
    const query = { container: p.container, limitBytes: p.limitBytes, tailLines: p.tailLines };
    return (await this.call<string>('GET', `${podsPath(p.namespace, p.name)}/log`, query, 'string', options))
      .data;
  }

  /** What the generated request factory, observable API and response processor do for one call. */
  private async call<T>(
    method: HttpMethod,
    path: string,
    query: Query,
    type: string,
    options: ConfigurationOptions | undefined,
    body?: Body,
  ): Promise<{ data: T; headers: Record<string, string> }> {
    const config = mergeConfiguration(this.configuration, options);
    let request: RequestContext = config.baseServer.makeRequestContext(path, method);
    request.setHeaderParam('Accept', 'application/json, */*;q=0.8');
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) request.setQueryParam(name, String(value));
    }
    if (body) {
      request.setHeaderParam('Content-Type', body.contentType);
      request.setBody(
        ObjectSerializer.stringify(ObjectSerializer.serialize(body.value, body.type, ''), body.contentType),
      );
    }
    await config.authMethods.default?.applySecurityAuthentication(request);
    for (const middleware of config.middleware) request = await middleware.pre(request).toPromise();
    let response: ResponseContext = await config.httpApi.send(request).toPromise();
    for (const middleware of [...config.middleware].reverse())
      response = await middleware.post(response).toPromise();

    const status = response.httpStatusCode;
    if (status >= 200 && status <= 299) {
      const contentType = ObjectSerializer.normalizeMediaType(response.headers['content-type']);
      const text = await response.body.text();
      return {
        data: ObjectSerializer.deserialize(ObjectSerializer.parse(text, contentType), type, ''),
        headers: response.headers,
      };
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

const jsonPatch = (value: object[]): Body => ({
  value,
  type: 'any',
  contentType: 'application/json-patch+json',
});
const path = (prefix: string, kind: string) => (namespace: string, name?: string) =>
  `${prefix}/namespaces/${encodeURIComponent(namespace)}/${kind}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
const jobsPath = path('/apis/batch/v1', 'jobs');
const podsPath = path('/api/v1', 'pods');
