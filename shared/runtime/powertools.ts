import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Log } from '../core/ports.ts';
import { FUNCTIONS } from '../resources.ts';

/**
 * Powertools, set up once per container. Names come from the environment only (CDK and the local
 * runtime set POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE from shared/resources.ts);
 * the fallbacks are the same constants, for a bundle started by hand. Log level from
 * POWERTOOLS_LOG_LEVEL (default INFO).
 */
export function powertools(fn: 'submit' | 'reconcile' | 'publish'): {
  logger: Logger;
  metrics: Metrics;
  log: Log;
} {
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME || FUNCTIONS[fn].serviceName;
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || FUNCTIONS.metricsNamespace,
    serviceName,
  });
  return { logger, metrics, log: toLog(logger) };
}

/** The Log port on a Powertools Logger. */
export function toLog(logger: Logger): Log {
  return {
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
    child: (keys) => toLog(logger.createChild({ persistentKeys: keys })),
  };
}

export { type Metrics, MetricUnit };
