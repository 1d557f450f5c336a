// Parsers and validators of command-line values shared by the commands.
import { InvalidArgumentError } from 'commander';
import { BACKENDS, type Backend, CHECK_MODES, type CheckMode, GEOMETRIES, type Geometry } from '@mem/benchmarks';

export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('expected a positive integer');
  return number;
}

export function parseSeconds(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return number;
}

export function parseGeometry(value: string): Geometry {
  if (!(GEOMETRIES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${GEOMETRIES.join(', ')}`);
  }
  return value as Geometry;
}

export function parseGeometryList(value: string): Geometry[] {
  return value.split(',').map((item) => parseGeometry(item.trim()));
}

export function parseBackend(value: string): Backend {
  if (!(BACKENDS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${BACKENDS.join(', ')}`);
  return value as Backend;
}

export function parseCheck(value: string): CheckMode {
  if (!(CHECK_MODES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${CHECK_MODES.join(', ')}`);
  return value as CheckMode;
}

export function parseList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Memory sizes in MiB on the command line. */
export function parseMebibytes(value: string): number {
  return parsePositiveInteger(value) * 1024 * 1024;
}
