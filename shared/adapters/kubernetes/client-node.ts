/**
 * The runtime values the adapters take from @kubernetes/client-node, imported from the modules
 * that define them. The package's index re-exports every module (exec, attach, port-forward,
 * cp, ...) and so drags their CommonJS dependencies (ws, tar-fs) into the bundles and runs them
 * at init; these deep imports keep only what the functions use. Types still come from the index.
 */
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
export { mergeConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
export { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
export { Observable } from '@kubernetes/client-node/dist/gen/rxjsStub.js';
export { Watch } from '@kubernetes/client-node/dist/watch.js';
