#!/usr/bin/python3
"""The python3-libvirt peer of bench:peers: builds the same host virtkeeper's manifests describe
(read from the JSON bench/peers/manifests.ts writes) with plain sequential libvirt calls, the
way a hand-written script would. It makes the same mutating calls virtkeeper makes on this host
(VIRTKEEPER_CALL_STATS shows them): network define + create, pool define + build + create,
volume create, domain define + create. It prints its call count and the time of its loop (open to close) as JSON.

Usage: /usr/bin/python3 python_peer.py URI HOST.json
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


def main():
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
