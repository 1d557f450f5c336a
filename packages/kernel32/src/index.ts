// @mem/kernel32: the whole Win32 memory API on one Kernel32 object per simulated process, plus every
// Windows constant of every package by name.
export * from '@mem/pages';
export * from './constants';
export { type CreateProcessOptions, type CreateSystemOptions, System, createSystem } from './System';
export {
  type Bound,
  type BoundFunction,
  DOORS,
  type Kernel32,
  type Kernel32Extras,
  type Win32Surface,
  duplicateDoorNames,
} from './Kernel32';
