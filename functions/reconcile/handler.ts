// Placeholder until the reconcile issue lands: the wiring (bundle, local runner, CDK) is real.
export const handler = async (event: unknown): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> => {
  console.log(JSON.stringify({ message: 'reconcile invoked', event }));
  return { batchItemFailures: [] };
};
