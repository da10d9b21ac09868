// libvirt's number for each secret usage type (VIR_SECRET_USAGE_TYPE_*), for the calls that take
// or return one (virSecretLookupByUsage, virConnectListAllSecrets' usage). Apart from usage.ts so
// that validation, which never calls libvirt, does not load the generated constants.
import {
  VIR_SECRET_USAGE_TYPE_CEPH,
  VIR_SECRET_USAGE_TYPE_ISCSI,
  VIR_SECRET_USAGE_TYPE_TLS,
  VIR_SECRET_USAGE_TYPE_VOLUME,
  VIR_SECRET_USAGE_TYPE_VTPM,
} from '../../libvirt/generated/constants.js';
import type { UsageType } from './usage.js';

export const USAGE_NUMBERS: Record<UsageType, number> = {
  volume: VIR_SECRET_USAGE_TYPE_VOLUME,
  ceph: VIR_SECRET_USAGE_TYPE_CEPH,
  iscsi: VIR_SECRET_USAGE_TYPE_ISCSI,
  tls: VIR_SECRET_USAGE_TYPE_TLS,
  vtpm: VIR_SECRET_USAGE_TYPE_VTPM,
};

export function usageTypeOfNumber(n: number): UsageType | undefined {
  return (Object.keys(USAGE_NUMBERS) as UsageType[]).find((t) => USAGE_NUMBERS[t] === n);
}
