#!/usr/bin/python3
"""The python3-libvirt peer of bench:peers: builds the same host virtkeeper's manifests describe
(read from the JSON bench/peers/manifests.ts writes) with plain sequential libvirt calls, the
way a hand-written script would. It makes the same mutating calls virtkeeper makes on this host
(VIRTKEEPER_CALL_STATS shows them): network define + create, pool define + build + create,
volume create, domain define + create. It prints its call count and the time of its loop (open to close) as JSON.

With `read` after HOST.json it only reads the host back, the way a no-op plan must: every
network, pool and volume XML, and each domain's XML twice (running and defined), with no parsing
or comparing. That is the floor under any no-op plan on this host, reported beside virtkeeper's.

Usage: /usr/bin/python3 python_peer.py URI HOST.json [read]
"""
import json
import sys
import time
from xml.sax.saxutils import escape, quoteattr

import libvirt


def network_xml(n):
    return (
        f"<network><name>{escape(n['name'])}</name><forward mode='nat'/>"
        f"<bridge name={quoteattr(n['bridge'])}/>"
        f"<ip address={quoteattr(n['address'])} prefix='24'><dhcp>"
        f"<range start={quoteattr(n['dhcpStart'])} end={quoteattr(n['dhcpEnd'])}/>"
        "</dhcp></ip></network>"
    )


def pool_xml(p):
    return f"<pool type='dir'><name>{escape(p['name'])}</name><target><path>{escape(p['path'])}</path></target></pool>"


def volume_xml(v):
    return (
        f"<volume><name>{escape(v['name'])}</name><capacity unit='bytes'>{v['capacityBytes']}</capacity>"
        "<target><format type='qcow2'/></target></volume>"
    )


def domain_xml(d, pool):
    return (
        f"<domain type='kvm'><name>{escape(d['name'])}</name>"
        f"<memory unit='KiB'>{d['memoryKiB']}</memory><vcpu>{d['vcpus']}</vcpu>"
        "<os><type arch='x86_64'>hvm</type></os><devices>"
        "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
        f"<source pool={quoteattr(pool)} volume={quoteattr(d['volume'])}/>"
        "<target dev='vda' bus='virtio'/></disk>"
        f"<interface type='network'><mac address={quoteattr(d['mac'])}/>"
        f"<source network={quoteattr(d['network'])}/><model type='virtio'/></interface>"
        "</devices></domain>"
    )


def read_back(uri):
    calls = 0
    started = time.perf_counter()
    conn = libvirt.open(uri)
    for net in conn.listAllNetworks(0):
        net.XMLDesc(0)
        calls += 1
    for pool in conn.listAllStoragePools(0):
        pool.XMLDesc(0)
        calls += 1
        for vol in pool.listAllVolumes(0):
            vol.XMLDesc(0)
            calls += 1
    for dom in conn.listAllDomains(0):
        dom.XMLDesc(0)
        dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
        calls += 2
    conn.close()
    print(json.dumps({"calls": calls, "loopMs": round((time.perf_counter() - started) * 1000)}))


def main():
    if len(sys.argv) > 3 and sys.argv[3] == "read":
        read_back(sys.argv[1])
        return
    uri, host_file = sys.argv[1], sys.argv[2]
    with open(host_file) as f:
        host = json.load(f)
    calls = 0
    started = time.perf_counter()
    conn = libvirt.open(uri)
    for n in host["networks"]:
        net = conn.networkDefineXML(network_xml(n))
        net.create()
        calls += 2
    pool = conn.storagePoolDefineXML(pool_xml(host["pool"]), 0)
    pool.build(0)
    pool.create(0)
    calls += 3
    for v in host["volumes"]:
        pool.createXML(volume_xml(v), 0)
        calls += 1
    for d in host["domains"]:
        dom = conn.defineXML(domain_xml(d, host["pool"]["name"]))
        dom.create()
        calls += 2
    conn.close()
    # The loop alone, from open to close: the rest of the process time is interpreter start-up.
    print(json.dumps({"calls": calls, "loopMs": round((time.perf_counter() - started) * 1000)}))


if __name__ == "__main__":
    main()
