// Errors of the state store. Each carries a message meant to be printed as it is: one line that
// names the file or directory, what is wrong and what to do.

export class StateStoreError extends Error {
  override name = 'StateStoreError';
}

/** The state directory cannot be created or written: raised before anything touches the host. */
export class StateDirError extends StateStoreError {
  override name = 'StateDirError';
}

export interface LockHolder {
  pid: number;
  command: string;
  owner: string;
  /** ISO 8601. */
  since: string;
  machine: string;
}

export class HostLockedError extends StateStoreError {
  override name = 'HostLockedError';
  constructor(
    readonly hostKey: string,
    readonly holder: LockHolder,
    readonly dbFile: string,
  ) {
    super(
      `host ${hostKey} is locked by pid ${holder.pid} (${holder.command}, since ${holder.since}) in ${dbFile}; ` +
        'wait for it to finish, or pass --lock-timeout SECONDS to wait',
    );
  }
}
