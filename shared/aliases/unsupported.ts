/**
 * What the function bundles put in place of client-node's dependencies for kubeconfig features
 * the functions never use: proxies (socks, socks-proxy-agent, hpagent), and the azure, gcp and
 * oidc auth providers (jsonpath-plus, openid-client). Together 130 KiB run at every cold start;
 * the functions authenticate with an EKS token or a kubeconfig token or client certificate.
 * Each export has the name client-node imports and fails, saying why, the moment it is used.
 */
function unsupported(what: string): never {
  throw new Error(
    `${what} in the kubeconfig is not supported by the function bundles (see BUNDLING.alias in infra/bundling.ts)`,
  );
}

// socks-proxy-agent, socks, hpagent
export class SocksProxyAgent {
  constructor() {
    unsupported('A SOCKS proxy (proxy-url)');
  }
}
export const SocksClient = { createConnection: () => unsupported('A SOCKS proxy (proxy-url)') };
export class HttpProxyAgent {
  constructor() {
    unsupported('An HTTP proxy (proxy-url)');
  }
}
export class HttpsProxyAgent extends HttpProxyAgent {}

// jsonpath-plus (the azure and gcp auth providers), openid-client (the oidc auth provider)
export const JSONPath = () => unsupported('The azure or gcp auth provider');
export const discovery = () => unsupported('The oidc auth provider');
export const refreshTokenGrant = discovery;
export const customFetch = Symbol('customFetch');
