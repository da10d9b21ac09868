// Domain procedures for live configuration changes and managed save, hand-written in the
// ProcedureDef form until the generated protocol layer covers them (numbers and layouts from
// libvirt's remote_protocol.x).
import { xdrVoid, type XdrCodec } from '../xdr.js';
import { defineProc, nonnullDomain, single, struct, xdrIntBool, xdrUhyper, xdrUint, type RemoteDomain } from './common.js';

export interface DomainSetMemoryFlagsArgs {
  dom: RemoteDomain;
  /** KiB. */
  memory: bigint;
  flags: number;
}
export interface DomainSetVcpusFlagsArgs {
  dom: RemoteDomain;
  nvcpus: number;
  flags: number;
}
export interface DomainFlagsOnlyArgs {
  dom: RemoteDomain;
  flags: number;
}

const domainSetMemoryFlagsArgs: XdrCodec<DomainSetMemoryFlagsArgs> = struct<DomainSetMemoryFlagsArgs>({ dom: nonnullDomain, memory: xdrUhyper, flags: xdrUint });
const domainSetVcpusFlagsArgs: XdrCodec<DomainSetVcpusFlagsArgs> = struct<DomainSetVcpusFlagsArgs>({ dom: nonnullDomain, nvcpus: xdrUint, flags: xdrUint });
const domainFlagsOnlyArgs: XdrCodec<DomainFlagsOnlyArgs> = struct<DomainFlagsOnlyArgs>({ dom: nonnullDomain, flags: xdrUint });

export const DOMAIN_MANAGED_SAVE = defineProc('DOMAIN_MANAGED_SAVE', 182, domainFlagsOnlyArgs, xdrVoid);
export const DOMAIN_HAS_MANAGED_SAVE_IMAGE = defineProc('DOMAIN_HAS_MANAGED_SAVE_IMAGE', 183, domainFlagsOnlyArgs, single('result', xdrIntBool));
export const DOMAIN_MANAGED_SAVE_REMOVE = defineProc('DOMAIN_MANAGED_SAVE_REMOVE', 184, domainFlagsOnlyArgs, xdrVoid);
export const DOMAIN_SET_VCPUS_FLAGS = defineProc('DOMAIN_SET_VCPUS_FLAGS', 199, domainSetVcpusFlagsArgs, xdrVoid);
export const DOMAIN_SET_MEMORY_FLAGS = defineProc('DOMAIN_SET_MEMORY_FLAGS', 204, domainSetMemoryFlagsArgs, xdrVoid);

/** virDomainVcpuFlags: VIR_DOMAIN_VCPU_MAXIMUM changes the maximum instead of the count. */
export const VIR_DOMAIN_VCPU_MAXIMUM = 4;
