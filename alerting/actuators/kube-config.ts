import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** How to reach and authenticate to a kube-apiserver. */
export interface KubeConnection {
  readonly server: string;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly token?: string;
  readonly insecureSkipTlsVerify?: boolean;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** In-cluster: the service account's token and CA, and the service address from the environment. */
export function inClusterConnection(env: NodeJS.ProcessEnv = process.env, dir = SA_DIR): KubeConnection {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
  if (!host) throw new Error('not running in a cluster: KUBERNETES_SERVICE_HOST is not set');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    token: readFileSync(`${dir}/token`, 'utf8').trim(),
    ca: readFileSync(`${dir}/ca.crt`),
  };
}

interface Named<T> { readonly name: string; readonly [k: string]: unknown; readonly cluster?: T; readonly user?: T; readonly context?: T }

function dataOrFile(data: unknown, file: unknown): Buffer | undefined {
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  if (typeof file === 'string') return readFileSync(file);
  return undefined;
}

/** A kubeconfig's current (or named) context: server, CA, and a token or client certificate. */
export function kubeconfigConnection(text: string, contextName?: string): KubeConnection {
  const cfg = (parse(text) ?? {}) as {
    'current-context'?: string;
    contexts?: Array<Named<{ cluster: string; user: string }>>;
    clusters?: Array<Named<Record<string, unknown>>>;
    users?: Array<Named<Record<string, unknown>>>;
  };
  const name = contextName ?? cfg['current-context'];
  const ctx = cfg.contexts?.find((c) => c.name === name)?.context;
  if (!ctx) throw new Error(`kubeconfig has no context '${name ?? '(none)'}'`);
  const cluster = cfg.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster || typeof cluster['server'] !== 'string') throw new Error(`kubeconfig has no cluster '${ctx.cluster}' with a server`);
  const user = cfg.users?.find((u) => u.name === ctx.user)?.user ?? {};
  const ca = dataOrFile(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const cert = dataOrFile(user['client-certificate-data'], user['client-certificate']);
  const key = dataOrFile(user['client-key-data'], user['client-key']);
  const token = typeof user['token'] === 'string' ? user['token'] : typeof user['tokenFile'] === 'string' ? readFileSync(user['tokenFile'], 'utf8').trim() : undefined;
  return {
    server: cluster['server'],
    ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(token ? { token } : {}),
    ...(cluster['insecure-skip-tls-verify'] === true ? { insecureSkipTlsVerify: true } : {}),
  };
}
