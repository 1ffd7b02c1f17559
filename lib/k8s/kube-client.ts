import {
  AppsV1Api,
  CoreV1Api,
  createConfiguration,
  KubeConfig,
  KubernetesObjectApi,
  ServerConfiguration,
  VersionApi,
  type ApiConstructor,
  type ApiType,
  type Configuration,
} from '@kubernetes/client-node';
import { EnvironmentError, UsageError } from '../errors.js';
import { describeKubeError } from './kube-api-error.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, requestDeadline } from './request-deadline.js';

/** The kubeconfig file does not exist (or cannot be read): no cluster to talk to, exit 3. */
export class KubeconfigMissingError extends EnvironmentError {}
/** The context asked for is not in the kubeconfig (or none is set): bad input, exit 2. */
export class UnknownContextError extends UsageError {}
/** The kubeconfig exists but is not one (YAML, missing cluster/user): bad input, exit 2. */
export class InvalidKubeconfigError extends UsageError {}
/** The API server did not answer: no cluster, exit 3. */
export class KubeUnreachableError extends EnvironmentError {}

export interface KubeClientOptions {
  /** Path of the kubeconfig file. */
  readonly kubeconfig: string;
  /** Context to use; default: the file's current-context. */
  readonly context?: string;
  /** Deadline of every API request made through this client (default 15 s). */
  readonly requestTimeoutMs?: number;
  /** The scenario's signal: aborts every request made through this client. */
  readonly signal?: AbortSignal;
}

function readKubeconfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KubeconfigMissingError(`kubeconfig ${path} not found`, { cause: err });
    if (code === 'EACCES' || code === 'EISDIR')
      throw new KubeconfigMissingError(`kubeconfig ${path} cannot be read (${code})`, { cause: err });
    const why = (err as Error).message.split('\n')[0] ?? '';
    throw new InvalidKubeconfigError(`kubeconfig ${path} is not a valid kubeconfig: ${why}`, { cause: err });
  }
  return kc;
}

function selectContext(kc: KubeConfig, path: string, wanted?: string): string {
  const known = kc.getContexts().map((c) => c.name);
  const list = known.length ? known.join(', ') : 'none';
  const name = wanted ?? kc.getCurrentContext();
  if (!name)
    throw new UnknownContextError(`kubeconfig ${path} sets no current-context; known contexts: ${list}`);
  if (!known.includes(name))
    throw new UnknownContextError(`context '${name}' not in kubeconfig ${path}; known contexts: ${list}`);
  kc.setCurrentContext(name);
  const context = kc.getContextObject(name);
  if (!kc.getCurrentCluster())
    throw new InvalidKubeconfigError(
      `kubeconfig ${path}: context '${name}' names cluster '${context?.cluster ?? '?'}', which is not defined`,
    );
  return name;
}

/** KubernetesObjectApi whose default namespace is the context's (what its makeApiClient does). */
class ContextObjectApi extends KubernetesObjectApi {
  constructor(configuration: Configuration, kc: KubeConfig) {
    super(configuration);
    this.setDefaultNamespace(kc);
  }
}

/**
 * One place that turns a kubeconfig (+ context) into API clients. Every generated client made here
 * carries the request deadline (and the caller's signal), which client-node 1.x does not set.
 */
export class KubeClient {
  readonly kc: KubeConfig;
  readonly context: string;
  /** The API server's URL, e.g. https://10.229.201.10:6443. */
  readonly server: string;
  readonly requestTimeoutMs: number;
  readonly signal: AbortSignal | undefined;
  private readonly configuration: Configuration;
  private readonly clients = new Map<unknown, unknown>();

  private constructor(
    readonly options: KubeClientOptions,
    kc: KubeConfig,
    context: string,
  ) {
    this.kc = kc;
    this.context = context;
    this.server = kc.getCurrentCluster()?.server ?? '';
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.signal = options.signal;
    this.configuration = createConfiguration({
      baseServer: new ServerConfiguration(this.server, {}),
      authMethods: { default: kc },
      promiseMiddleware: [requestDeadline(this.requestTimeoutMs, this.signal)],
    });
  }

  /** Reads the kubeconfig and selects the context; no network. Throws the typed errors above. */
  static load(options: KubeClientOptions): KubeClient {
    const kc = readKubeconfig(options.kubeconfig);
    const context = selectContext(kc, options.kubeconfig, options.context);
    return new KubeClient(options, kc, context);
  }

  /** The same cluster with another deadline or signal (e.g. a longer one for a big list). */
  with(overrides: Pick<KubeClientOptions, 'requestTimeoutMs' | 'signal'>): KubeClient {
    return new KubeClient({ ...this.options, ...overrides }, this.kc, this.context);
  }

  /** A generated API client (CoreV1Api, AppsV1Api, …) with this client's deadline; cached. */
  api<T extends ApiType>(ctor: ApiConstructor<T>): T {
    let client = this.clients.get(ctor) as T | undefined;
    if (!client) {
      client = new ctor(this.configuration);
      this.clients.set(ctor, client);
    }
    return client;
  }

  get core(): CoreV1Api {
    return this.api(CoreV1Api);
  }

  get apps(): AppsV1Api {
    return this.api(AppsV1Api);
  }

  /** Generic objects (apply, delete by manifest); its default namespace follows the context's. */
  get objects(): KubernetesObjectApi {
    let client = this.clients.get(KubernetesObjectApi) as KubernetesObjectApi | undefined;
    if (!client) {
      client = new ContextObjectApi(this.configuration, this.kc);
      this.clients.set(KubernetesObjectApi, client);
    }
    return client;
  }

  /**
   * Runs one API call and turns any failure into a KubeApiError with one readable line starting
   * with `what`: `read pod db/pg-0: HTTP 404 NotFound: pods "pg-0" not found`.
   */
  async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw describeKubeError(err, { what, timeoutMs: this.requestTimeoutMs, signal: this.signal });
    }
  }

  /** Asks the API server for its version: proves the server answers and the credentials work. */
  async serverVersion(): Promise<string> {
    const info = await this.call(VERSION_CALL, () => this.api(VersionApi).getCode());
    return info.gitVersion;
  }
}

const VERSION_CALL = 'GET /version';

/**
 * Loads the kubeconfig and checks that its API server answers within the request deadline:
 * missing file / unknown context / unreachable server each end in one line with exit code 2 or 3.
 */
export async function connectKube(options: KubeClientOptions): Promise<KubeClient> {
  const client = KubeClient.load(options);
  try {
    await client.serverVersion();
  } catch (err) {
    const failure = (err as { failure?: string }).failure;
    if (failure === 'unreachable' || failure === 'timeout') {
      throw new KubeUnreachableError(
        `Kubernetes API server ${client.server} (context ${client.context}) unreachable: ${(err as Error).message.slice(VERSION_CALL.length + 2).replace(/^API server unreachable: /, '')}`,
        { cause: err },
      );
    }
    throw err;
  }
  return client;
}
