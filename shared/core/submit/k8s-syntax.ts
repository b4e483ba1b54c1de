/**
 * Kubernetes name, label, annotation and quantity syntax, checked before the apiserver sees
 * a request so that a bad value is a precise REJECTED reason rather than a 422.
 */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const QUANTITY = /^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$/;

export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

export function isDns1123Subdomain(value: string): boolean {
  return (
    value.length > 0 && value.length <= 253 && value.split('.').every((part) => DNS1123_LABEL.test(part))
  );
}

/** A label or annotation key: an optional DNS subdomain prefix and `/`, then a name of at most 63. */
export function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}

export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** The prefix of a qualified key (`example.com` of `example.com/name`), or undefined. */
export function keyPrefix(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  return slash >= 0 ? key.slice(0, slash) : undefined;
}

export function isQuantity(value: string): boolean {
  return QUANTITY.test(value);
}

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A quantity in base units (cores, bytes), or undefined when it is not a quantity. */
export function parseQuantity(value: string): number | undefined {
  const match = QUANTITY.exec(value);
  if (!match) return undefined;
  const number = Number(match[1]);
  const suffix = match[3];
  if (suffix === undefined) return number;
  if (suffix.startsWith('e') || suffix.startsWith('E')) return Number(`${match[1]}${suffix}`);
  const factor = SUFFIX[suffix];
  return factor === undefined ? undefined : number * factor;
}

/** An environment variable name as the apiserver has long accepted it. */
export function isEnvName(value: string): boolean {
  return /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(value);
}

/** The parts of an image reference; the registry is `docker.io` when the name has no host. */
export interface ImageRef {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const IMAGE =
  /^(?<name>[a-zA-Z0-9][a-zA-Z0-9._\-/:]*?)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

export function parseImage(image: string): ImageRef | undefined {
  if (image.length > 512) return undefined;
  const match = IMAGE.exec(image);
  const name = match?.groups?.name;
  if (!match || !name) return undefined;
  const parts = name.split('/');
  if (parts.some((part) => part.length === 0)) return undefined;
  const first = parts[0] as string;
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasHost ? first : 'docker.io';
  const path = hasHost ? parts.slice(1) : parts;
  if (!path.every((part) => /^[a-z0-9]+([._-]+[a-z0-9]+)*$/.test(part))) return undefined;
  if (hasHost && !/^[A-Za-z0-9.-]+(:[0-9]+)?$/.test(registry)) return undefined;
  const repository = !hasHost && path.length === 1 ? `library/${path[0]}` : path.join('/');
  return { registry, repository, tag: match.groups?.tag, digest: match.groups?.digest };
}
