// The state store's public face: open a store, take a host's lock, work with its records.
export { StateStore } from './store.js';
export { HostState, type ForeignRecord, type LegacyImport, type ResolvedIntent, type StoredRecord } from './host-state.js';
export { HostLockedError, StateDirError, StateStoreError, type LockHolder } from './errors.js';
export type { HostLock, LockRequest } from './lock.js';
export type { IntentRow, OwnershipIntent } from './intents.js';
export { StallBook, type StallRecord } from './stalls.js';
export { sourceOwner } from './owner.js';
export { defaultStateDir, legacyInventoryPath, stateDbPath } from './paths.js';
