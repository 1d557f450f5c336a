// The system DEP policy of a machine (the /NoExecute boot option GetSystemDEPPolicy reports):
// AlwaysOff, AlwaysOn, OptIn (the client default) or OptOut, and the DEP state it gives a new
// process. Kept beside the Machine (a WeakMap) so machines without a policy behave as OptIn.
import {
  DEP_SYSTEM_POLICY_ALWAYS_OFF,
  DEP_SYSTEM_POLICY_ALWAYS_ON,
  DEP_SYSTEM_POLICY_OPT_IN,
  DEP_SYSTEM_POLICY_OPT_OUT,
  ERROR_INVALID_PARAMETER,
} from './constants';
import { MemError } from './errors';
import type { Machine } from './machine';
import type { Process } from './process';

const policies = new WeakMap<Machine, number>();

/** The machine's DEP_SYSTEM_POLICY_* value (OptIn unless set). */
export function systemDepPolicy(machine: Machine): number {
  return policies.get(machine) ?? DEP_SYSTEM_POLICY_OPT_IN;
}

/** Sets the machine's policy (DEP_SYSTEM_POLICY_ALWAYS_OFF … _OPT_OUT); MemError(ERROR_INVALID_PARAMETER) otherwise. */
export function setSystemDepPolicy(machine: Machine, policy: number): void {
  if (!Number.isInteger(policy) || policy < DEP_SYSTEM_POLICY_ALWAYS_OFF || policy > DEP_SYSTEM_POLICY_OPT_OUT) {
    throw new MemError(ERROR_INVALID_PARAMETER, `DEP policy ${policy} is not one of DEP_SYSTEM_POLICY_*`);
  }
  policies.set(machine, policy);
}

/**
 * Gives a new process the DEP state of its machine's policy: AlwaysOn / AlwaysOff fix DEP on / off
 * for good (SetProcessDEPPolicy then fails); OptOut turns it on for 32-bit processes, changeable;
 * OptIn leaves the geometry default (on and permanent for 64-bit, off for 32-bit).
 */
export function applyDepPolicy(process: Process): void {
  const policy = systemDepPolicy(process.machine);
  if (policy === DEP_SYSTEM_POLICY_ALWAYS_ON || policy === DEP_SYSTEM_POLICY_ALWAYS_OFF) {
    process.depEnabled = policy === DEP_SYSTEM_POLICY_ALWAYS_ON;
    process.depPermanent = true;
  } else if (policy === DEP_SYSTEM_POLICY_OPT_OUT && process.geometry.pointerSize === 4) {
    process.depEnabled = true;
  }
}
