import { createServer } from 'node:net';

/**
 * A loopback port that is free now, for a server a test starts. EJR_TEST_PORTS=FROM-TO keeps
 * them in a range (beside a stack that holds others); by default the system picks one.
 */
export async function freeLoopbackPort(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const range = env.EJR_TEST_PORTS?.match(/^(\d+)-(\d+)$/);
  if (!range) return listenOn(0);
  const [from, to] = [Number(range[1]), Number(range[2])];
  // Start anywhere in the range: two test processes probing at once rarely collide.
  const offset = Math.floor(Math.random() * (to - from + 1));
  for (let i = 0; i <= to - from; i++) {
    const port = from + ((offset + i) % (to - from + 1));
    try {
      return await listenOn(port);
    } catch {
      // taken: the next one
    }
  }
  throw new Error(`no free loopback port in EJR_TEST_PORTS=${env.EJR_TEST_PORTS}`);
}

function listenOn(port: number): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? done(address.port) : fail(new Error('no port')),
      );
    });
  });
}
