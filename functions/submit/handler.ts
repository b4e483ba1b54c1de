// Placeholder until the submit issue lands: the wiring (bundle, local runner, CDK) is real.
export const handler = async (event: unknown): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> => {
  console.log(JSON.stringify({ message: 'submit invoked', event }));
  return { batchItemFailures: [] };
};
