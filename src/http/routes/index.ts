import type { FastifyPluginAsync } from 'fastify';
import { auditRoutes } from './audit.js';
import { criteriaRoutes } from './criteria.js';
import { healthRoutes } from './health.js';
import { inspectionsRoutes } from './inspections.js';
import { machinesRoutes } from './machines.js';
import { plansRoutes } from './plans.js';
import { tokensRoutes } from './tokens.js';
import { unitsRoutes } from './units.js';

export const routes: FastifyPluginAsync = async (app) => {
  await app.register(healthRoutes);
  await app.register(tokensRoutes);
  await app.register(unitsRoutes);
  await app.register(criteriaRoutes);
  await app.register(plansRoutes);
  await app.register(inspectionsRoutes);
  await app.register(auditRoutes);
  await app.register(machinesRoutes);
};
