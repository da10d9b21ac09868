// The lifecycle steps every persistent-object kind (networks, pools, interfaces) plans: each
// names its object, a define carries the XML, a setAutostart the wanted flag.
import type { StepOf } from '../types.js';

export interface NamedObject {
  name: string;
}

export type DefineStep = StepOf<'define', NamedObject & { xml: string }>;
export type StartStep = StepOf<'start', NamedObject>;
export type DestroyStep = StepOf<'destroy', NamedObject>;
export type UndefineStep = StepOf<'undefine', NamedObject>;
export type SetAutostartStep = StepOf<'setAutostart', NamedObject & { autostart: boolean }>;

export type LifecycleStep = DefineStep | StartStep | DestroyStep | UndefineStep | SetAutostartStep;
