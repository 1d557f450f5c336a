// The named-object namespace of one machine (the session's \BaseNamedObjects): names are
// case-sensitive; "Local\" names the same directory as no prefix, "Global\" a separate one; any other
// backslash names a directory that does not exist (ERROR_PATH_NOT_FOUND). A name lives while its
// object has a handle; views alone do not keep it.
import { ERROR_INVALID_HANDLE, ERROR_PATH_NOT_FOUND, type Machine, MemError } from '@mem/pages';

/** An object that can be named: only its type tag matters to the namespace. */
export interface NamedObject {
  readonly objectType: string;
}

const namespaces = new WeakMap<Machine, Map<string, NamedObject>>();

function namespaceOf(machine: Machine): Map<string, NamedObject> {
  let names = namespaces.get(machine);
  if (names === undefined) {
    names = new Map();
    namespaces.set(machine, names);
  }
  return names;
}

/** The key a name is stored under; throws ERROR_PATH_NOT_FOUND for names in unknown directories. */
export function namespaceKey(name: string): string {
  let rest = name;
  let directory = '';
  if (rest.startsWith('Local\\')) rest = rest.slice(6);
  else if (rest.startsWith('Global\\')) {
    rest = rest.slice(7);
    directory = 'Global\\';
  }
  if (rest.includes('\\')) throw new MemError(ERROR_PATH_NOT_FOUND, `no object directory for "${name}"`);
  return directory + rest;
}

/**
 * The object named `name` when it is of `type`, undefined when the name is free; throws
 * ERROR_INVALID_HANDLE when the name belongs to an object of another type (M-014).
 */
export function lookupName(machine: Machine, name: string, type: string): NamedObject | undefined {
  const found = namespaceOf(machine).get(namespaceKey(name));
  if (found !== undefined && found.objectType !== type) throw new MemError(ERROR_INVALID_HANDLE, `"${name}" is not a ${type}`);
  return found;
}

export function registerName(machine: Machine, name: string, object: NamedObject): void {
  namespaceOf(machine).set(namespaceKey(name), object);
}

/** Removes the name if it still denotes `object`. */
export function unregisterName(machine: Machine, name: string, object: NamedObject): void {
  const names = namespaceOf(machine);
  const key = namespaceKey(name);
  if (names.get(key) === object) names.delete(key);
}
