export { applyEvent, createInstance, createInstances, machineModuleFor, type CreateInstanceOptions, type EventResult, type InstanceKind } from './instances.js';
export { fireDueTimers, type TimerRunResult } from './timers.js';
export { verifyAudit, type Actor, type VerifyResult } from './audit.js';
export { EngineError, type EngineErrorCode, type Issue } from './errors.js';
export { inTransaction, sqlState } from './transaction.js';
export { allowedEventTypes } from './effects.js';
