import type { StateValue } from 'xstate';
import { inspectionPlan } from './inspectionPlan.js';
import { plannedInspection } from './plannedInspection.js';
import { surpriseInspection } from './surpriseInspection.js';
import type { MachineModule } from './types.js';

export { inspectionPlan, plannedInspection, surpriseInspection };
export type { InspectionPlanContext, InspectionPlanEvent, InspectionPlanInput } from './inspectionPlan.js';
export type {
  PlannedInspectionContext,
  PlannedInspectionEvent,
  PlannedInspectionInput,
  SelfReport,
} from './plannedInspection.js';
export { SELF_REPORT_DUE_EVENT } from './plannedInspection.js';
export type {
  Decision,
  SurpriseContent,
  SurpriseInspectionContext,
  SurpriseInspectionEvent,
  SurpriseInspectionInput,
} from './surpriseInspection.js';
export type { Cancellation } from './shared/common.js';
export type { Finding, FindingKind } from './shared/findings.js';
export type { Conclusion, RemediationItem, RemediationStatus } from './shared/remediation.js';
export type { Visit } from './shared/visit.js';
export { DEFAULT_TIME_ZONE, endOfDay, isoDate, MAX_DATE, MIN_DATE } from './shared/dates.js';
export type * from './types.js';

/** Every machine the engine runs, by name. */
export const machineModules = { plannedInspection, surpriseInspection, inspectionPlan };

export type MachineName = keyof typeof machineModules;

export function isMachineName(name: string): name is MachineName {
  return Object.hasOwn(machineModules, name);
}

export function getMachineModule(name: string): MachineModule | undefined {
  return isMachineName(name) ? machineModules[name] : undefined;
}

/**
 * A state value as one string: `{ selfReport: 'requested' }` → `selfReport.requested`.
 * (Parallel regions, which these machines do not have, would be joined with `,`.)
 */
export function stateString(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([key, child]) => {
      const leaf = child === undefined || (typeof child === 'object' && Object.keys(child).length === 0);
      return leaf ? key : `${key}.${stateString(child)}`;
    })
    .join(',');
}
