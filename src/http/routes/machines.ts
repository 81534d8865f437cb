import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getMachineModule, machineModules } from '../../../machines/index.js';
import { machineDefinition, mermaidDiagram } from '../../domain/machine-definition.js';
import { notFound } from '../../problem.js';
import { problemResponses } from '../schemas.js';

const transition = z.object({
  event: z.string().describe('Event type; `after <delay>` for a delayed transition, `always` for an eventless one.'),
  kind: z.enum(['event', 'after', 'always']),
  delay: z.union([z.string(), z.number()]).optional(),
  delayedEvent: z.string().optional().describe('The event raised when the delay has passed, as the audit log records it.'),
  targets: z.array(z.string()).describe('Target state paths; empty: the state is kept (no exit, no entry).'),
  guard: z.string().optional(),
  reenter: z.literal(true).optional(),
  actions: z.array(z.string()),
});

const stateInfo = z.object({
  path: z.string().describe('Dot-separated path, the same string an instance reports as `state`.'),
  key: z.string(),
  parent: z.string().nullable(),
  type: z.enum(['atomic', 'compound', 'parallel', 'final', 'history']),
  initial: z.string().optional(),
  children: z.array(z.string()),
  transitions: z.array(transition),
  description: z.string().optional(),
});

const definition = z.object({
  id: z.string(),
  initial: z.string().nullable(),
  transitions: z.array(transition).describe('Transitions of the machine root: they apply in every state.'),
  states: z.record(z.string(), stateInfo).describe('Every state by path, parents before children.'),
  events: z.array(z.string()),
});

const machineRef = z.object({ name: z.string(), version: z.number().int() });

export const machinesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/machines',
    {
      schema: {
        tags: ['machines'],
        summary: 'The statecharts the engine runs',
        response: { 200: z.object({ items: z.array(machineRef) }), ...problemResponses([]) },
      },
    },
    async () => ({
      items: Object.values(machineModules).map((m) => ({ name: m.name, version: m.version })),
    }),
  );

  app.get(
    '/machines/:name',
    {
      schema: {
        tags: ['machines'],
        summary: 'A statechart’s states and transitions, and a Mermaid diagram of them',
        params: z.object({ name: z.string().min(1).max(100) }),
        response: {
          200: machineRef.extend({
            definition,
            diagram: z.string().describe('Mermaid stateDiagram-v2 source.'),
          }),
          ...problemResponses([404]),
        },
      },
    },
    async (request) => {
      const mod = getMachineModule(request.params.name);
      if (!mod) throw notFound(`No machine named ${request.params.name}.`);
      const def = machineDefinition(mod.machine);
      return { name: mod.name, version: mod.version, definition: def, diagram: mermaidDiagram(def) };
    },
  );
};
