// What the local stack wrote to stack.json, for the tests: defined beside the stack scripts.
export { type LocalStack, loadLocalStack, stackDir } from '../../infra/local/stack-info.ts';
