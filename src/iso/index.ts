// The ISO 9660 writer's public face: build an image from files; everything else is internal.
export { buildIso, type BuildIsoInput } from './build-iso.js';
export { IsoInputError, type IsoFile } from './tree.js';
export { SECTOR } from './bytes.js';
