import { GenericContainer, Wait } from 'testcontainers';

// testcontainers' reaper (Ryuk) is an image that cannot be pulled here; the lab cleans up by label itself.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

export interface LabNodeContainerSpec {
  readonly image: string;
  readonly container: string;
  /** Node name, also its DNS alias on the lab network. */
  readonly node: string;
  readonly network: string;
  readonly volume: string;
  readonly labels: Record<string, string>;
  readonly env: Record<string, string>;
  /** Host address the ports are published on (default 127.0.0.1: nothing of the lab is exposed beyond the host). */
  readonly publishHost?: string;
  readonly startupTimeoutMs?: number;
}

/**
 * A lab node container. testcontainers 11 has no builder for devices, host-IP port bindings or
 * network aliases without also attaching the default bridge, so this subclass fills Docker's create
 * options in the `beforeContainerCreated` hook (the protected `createOpts` / `hostConfig` are the
 * supported extension point for options the builder lacks).
 */
class LabNodeContainer extends GenericContainer {
  constructor(private readonly spec: LabNodeContainerSpec) {
    super(spec.image);
  }

  protected override beforeContainerCreated(): Promise<void> {
    const { network, node, publishHost = '127.0.0.1' } = this.spec;
    // FUSE for the bindfs data drive (--device /dev/fuse; --privileged fails on these hosts).
    this.hostConfig.Devices = [
      { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
    ];
    const portBindings = (this.hostConfig.PortBindings ?? {}) as Record<string, { HostIp?: string }[]>;
    for (const bindings of Object.values(portBindings)) {
      for (const b of bindings) b.HostIp = publishHost;
    }
    // Only the lab network, with the node name as alias (withNetworkAliases would also attach the default bridge).
    this.hostConfig.NetworkMode = network;
    this.createOpts.NetworkingConfig = { EndpointsConfig: { [network]: { Aliases: [node] } } };
    return Promise.resolve();
  }
}

/** Creates and starts one lab node; resolves once its entrypoint has started Patroni. */
export async function startLabNodeContainer(spec: LabNodeContainerSpec): Promise<void> {
  const container = new LabNodeContainer(spec)
    .withName(spec.container)
    .withHostname(spec.node)
    .withLabels(spec.labels)
    .withEnvironment(spec.env)
    .withNetworkMode(spec.network)
    .withAddedCapabilities('NET_ADMIN', 'SYS_ADMIN')
    .withBindMounts([{ source: spec.volume, target: '/var/lib/pxlab/disk', mode: 'rw' }])
    .withExposedPorts(5432, 8008, 22)
    .withAutoCleanup(false)
    .withWaitStrategy(Wait.forLogMessage(/patroni started/))
    .withStartupTimeout(spec.startupTimeoutMs ?? 180_000);
  await container.start();
}
