// Reading the persistent XML of networks, pools and interfaces on drivers that may not keep one.
import { errorCode } from './call-errors.js';
import { VIR_ERR_INVALID_ARG } from './errors.js';

/**
 * Some drivers (libvirt's test driver among them) know no separate persistent XML for networks,
 * pools or interfaces and reject the INACTIVE flag with VIR_ERR_INVALID_ARG "unsupported flags".
 * Their current XML is then also their persistent one, so asking again without the flag is exact.
 * What a driver answered is learnt once per connection and procedure: the first read probes, reads
 * started meanwhile wait for its answer, and later reads go straight to the form that works, so a
 * host of N networks costs N reads, not 2N.
 */
export class InactiveFlagSupport {
  readonly #known = new Map<string, boolean | Promise<boolean>>();

  /** True once a read has shown the driver takes the INACTIVE flag for `procedure`. */
  knownSupported(procedure: string): boolean {
    return this.#known.get(procedure) === true;
  }

  async read(procedure: string, fetch: (flags: number) => Promise<string>, inactiveFlag: number, inactive: boolean): Promise<string> {
    if (!inactive) return fetch(0);
    const known = this.#known.get(procedure);
    if (known === undefined) return this.#probe(procedure, fetch, inactiveFlag);
    const supported = typeof known === 'boolean' ? known : await known;
    return supported ? this.#withFallback(fetch, inactiveFlag) : fetch(0);
  }

  async #probe(procedure: string, fetch: (flags: number) => Promise<string>, inactiveFlag: number): Promise<string> {
    let settle!: (supported: boolean) => void;
    this.#known.set(procedure, new Promise<boolean>((resolve) => (settle = resolve)));
    try {
      const xml = await fetch(inactiveFlag);
      this.#known.set(procedure, true);
      settle(true);
      return xml;
    } catch (err) {
      if (errorCode(err) === VIR_ERR_INVALID_ARG) {
        this.#known.set(procedure, false);
        settle(false);
        return fetch(0);
      }
      // Failed for its own reasons (the object went away): nothing learnt, the next read probes.
      this.#known.delete(procedure);
      settle(true);
      throw err;
    }
  }

  async #withFallback(fetch: (flags: number) => Promise<string>, inactiveFlag: number): Promise<string> {
    try {
      return await fetch(inactiveFlag);
    } catch (err) {
      if (errorCode(err) === VIR_ERR_INVALID_ARG) return fetch(0);
      throw err;
    }
  }
}
