// The Kubernetes adapters as the functions bundle them (with infra/bundling.ts's aliases):
// bundled-tls.test.ts builds this entry and runs it against an https server of its own.
export { createKubeConfig } from '../../../../shared/adapters/kubernetes/config.ts';
export { KubeWatchClient } from '../../../../shared/adapters/kubernetes/watch-client.ts';
