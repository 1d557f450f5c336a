// The machine a report was taken on: Node version, CPU model, cores, date.
import { cpus, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  node: string;
  cpuModel: string;
  cores: number;
  platform: string;
  memoryBytes: number;
  date: string;
}

export function machineInfo(): MachineInfo {
  const cpuList = cpus();
  return {
    node: process.version,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    platform: `${platform()} ${release()}`,
    memoryBytes: totalmem(),
    date: new Date().toISOString(),
  };
}
