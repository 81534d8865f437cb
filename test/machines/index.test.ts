import { describe, expect, it } from 'vitest';
import { getMachineModule, machineModules, stateString } from '../../machines/index.js';

describe('machine registry', () => {
  it('registers each machine under its name, version 1, machine id = name', () => {
    for (const [name, mod] of Object.entries(machineModules)) {
      expect(mod.name).toBe(name);
      expect(mod.version).toBe(1);
      expect(mod.machine.id).toBe(name);
      expect(getMachineModule(name)).toBe(mod);
    }
    expect(Object.keys(machineModules).sort()).toEqual(['inspectionPlan', 'plannedInspection', 'surpriseInspection']);
  });

  it('knows no other name', () => {
    expect(getMachineModule('toString')).toBeUndefined();
    expect(getMachineModule('nope')).toBeUndefined();
  });
});

describe('stateString', () => {
  it('flattens nested state values with dots', () => {
    expect(stateString('planned')).toBe('planned');
    expect(stateString({ selfReport: 'requested' })).toBe('selfReport.requested');
    expect(stateString({ a: { b: 'c' } })).toBe('a.b.c');
  });
});
