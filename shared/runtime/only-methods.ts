/**
 * An adapter that lets through only the methods a function declares it uses
 * (functions/<name>/uses.ts), which are the methods CDK grants the IAM actions of. A call to
 * any other method throws, so a use case that starts calling one fails in the tests of the
 * real bundle, not with AccessDenied in AWS. Properties that are no methods (counters) pass;
 * a declared method runs on the adapter itself, so its own internal calls are not checked.
 */
export function onlyMethods<T extends object>(
  adapter: T,
  uses: readonly (keyof T & string)[],
  declaredIn: string,
): T {
  const name = adapter.constructor?.name || 'adapter';
  for (const method of uses) {
    if (typeof adapter[method] !== 'function') {
      throw new Error(`${declaredIn} declares ${name}.${method}, which is not a method of ${name}`);
    }
  }
  const allowed = new Set<PropertyKey>(uses);
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(adapter, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      // Object's own methods (constructor, toString, ...) are no adapter calls.
      if (typeof value !== 'function' || property in Object.prototype) return value;
      if (!allowed.has(property)) {
        return () => {
          throw new Error(
            `${name}.${String(property)} is not among the uses in ${declaredIn}: declare it there, ` +
              'so that CDK grants the IAM actions it needs (shared/adapters/iam.ts)',
          );
        };
      }
      if (!bound.has(property)) bound.set(property, value.bind(target));
      return bound.get(property);
    },
  });
}
