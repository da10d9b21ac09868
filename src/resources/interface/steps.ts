// The steps an interface plan holds: define, start, stop, undefine (no autostart: the start mode
// is in the XML).
import type { DefineStep, DestroyStep, StartStep, UndefineStep } from '../common/lifecycle-steps.js';

export type InterfaceStep = DefineStep | StartStep | DestroyStep | UndefineStep;

// This kind's entry in the table of every kind's steps (resources/types.ts KindSteps).
declare module '../types.js' {
  interface KindSteps {
    Interface: InterfaceStep;
  }
}
