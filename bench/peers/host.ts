// The benchmark host as plain data: the one shape both peers build, so virtkeeper's manifests
// and the python peer's XML are generated from the same list and cannot drift apart.
export interface HostNetwork {
  name: string;
  bridge: string;
  /** Gateway address; the network is its /24. */
  address: string;
  dhcpStart: string;
  dhcpEnd: string;
}

export interface HostVolume {
  name: string;
  capacityBytes: number;
}

export interface HostDomain {
  name: string;
  memoryKiB: number;
  vcpus: number;
  volume: string;
  network: string;
  mac: string;
}

export interface HostModel {
  pool: { name: string; path: string };
  networks: HostNetwork[];
  volumes: HostVolume[];
  domains: HostDomain[];
}

/** The reference host: 50 + 1 + 500 + 1,000 = 1,551 objects. */
export const BASE_SHAPE = { networks: 50, volumes: 500, domains: 1000 } as const;
export const BASE_OBJECTS = BASE_SHAPE.networks + 1 + BASE_SHAPE.volumes + BASE_SHAPE.domains;

export function objectCount(host: HostModel): number {
  return host.networks.length + 1 + host.volumes.length + host.domains.length;
}

/**
 * The test driver's pools hold 100 GiB and allocate a volume's whole capacity, so volumes stay
 * small enough for the 10,000-object shape (3,224 volumes) to fit.
 */
const VOLUME_BYTES = 16 * 1024 ** 2;

function mac(i: number): string {
  // 52:54:00 is QEMU's locally administered prefix; three bytes give 16M distinct guests.
  const bytes = [(i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff].map((b) => b.toString(16).padStart(2, '0'));
  return `52:54:00:${bytes.join(':')}`;
}

/** The reference shape multiplied by `scale` (at least one of each kind). */
export function buildHost(scale: number): HostModel {
  const count = (n: number): number => Math.max(1, Math.round(n * scale));
  const networks = Array.from({ length: count(BASE_SHAPE.networks) }, (_, i): HostNetwork => {
    // 10.X.Y.0/24, one per network; X.Y from the index so 65,536 networks fit.
    const prefix = `10.${(i >> 8) & 0xff}.${i & 0xff}`;
    return { name: `net-${i}`, bridge: `vkb${i}`, address: `${prefix}.1`, dhcpStart: `${prefix}.100`, dhcpEnd: `${prefix}.199` };
  });
  const volumes = Array.from(
    { length: count(BASE_SHAPE.volumes) },
    (_, i): HostVolume => ({ name: `vol-${i}.qcow2`, capacityBytes: VOLUME_BYTES }),
  );
  const domains = Array.from(
    { length: count(BASE_SHAPE.domains) },
    (_, i): HostDomain => ({
      name: `vm-${i}`,
      memoryKiB: 512 * 1024,
      vcpus: 1,
      // Round-robin: at the reference shape two domains share each volume (the test driver does
      // not lock disks, so sharing is fine and keeps the volume count at the 500).
      volume: volumes[i % volumes.length]!.name,
      network: networks[i % networks.length]!.name,
      mac: mac(i + 1),
    }),
  );
  return { pool: { name: 'images', path: '/var/lib/libvirt/images' }, networks, volumes, domains };
}
