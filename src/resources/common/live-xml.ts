// Reading persistent XML. Diffs compare against the inactive (persistent) definition, but some
// drivers (libvirt's test driver among them) reject the INACTIVE flag with "unsupported flags":
// there the only definition is the live one, so falling back to it is exact, not an approximation.
import { hasErrorCode, VIR_ERR_INVALID_ARG, VIR_ERR_NO_SUPPORT } from '../../libvirt/errors.js';

export async function inactiveXmlOrLive(fetch: (inactive: boolean) => Promise<string>): Promise<string> {
  try {
    return await fetch(true);
  } catch (err) {
    if (hasErrorCode(err, VIR_ERR_INVALID_ARG) || hasErrorCode(err, VIR_ERR_NO_SUPPORT)) return fetch(false);
    throw err;
  }
}
