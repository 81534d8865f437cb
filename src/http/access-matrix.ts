import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machineModules } from '../../machines/index.js';
import { EVENT_ROLES, ROLES, ROUTE_ROLES } from '../domain/access.js';

/**
 * The access-control table (access.ts) as Markdown, for the README's
 * *Security* section. `npm run docs:roles` prints it; `-- --write` puts it
 * between the README's markers, and a test fails while the two differ.
 */

export const MATRIX_START = '<!-- access-matrix:start (npm run docs:roles -- --write) -->';
export const MATRIX_END = '<!-- access-matrix:end -->';

const YES = '✓';

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function header(first: readonly string[]): string[] {
  return [row([...first, ...ROLES]), row([...first.map(() => '---'), ...ROLES.map(() => ':-:')])];
}

/** Which machines accept an event type, for the events table. */
function machinesOf(type: string): string {
  return Object.values(machineModules)
    .filter((m) => Object.hasOwn(m.events, type))
    .map((m) => m.name)
    .join(', ');
}

export function renderAccessMatrix(): string {
  const lines = [
    '#### Routes',
    '',
    'Every route below needs `Authorization: Bearer <token>` (no token or an unknown, revoked or expired one: 401); a role without ✓ gets 403. `GET /health`, `GET /ready` and `/docs` are public.',
    '',
    ...header(['route']),
    ...Object.entries(ROUTE_ROLES).map(([route, roles]) => row([`\`${route}\``, ...ROLES.map((r) => (roles.includes(r) ? YES : ''))])),
    '',
    'A `unit` token sees its own unit only: another unit’s inspection answers 404 (never 403, so its existence is not revealed) and is left out of every list, history, deadline, reminder, calendar feed and stream.',
    '',
    '#### Events',
    '',
    'Who may send each event (`POST /inspections/:id/events`, `POST /plans/:id/events`); the statechart then decides whether the event fits the current state (409 if not).',
    '',
    ...header(['event', 'machines']),
    ...Object.entries(EVENT_ROLES).map(([type, roles]) =>
      row([`\`${type}\``, machinesOf(type), ...ROLES.map((r) => (roles.includes(r) ? YES : ''))]),
    ),
  ];
  return lines.join('\n');
}

/** The README with its matrix block replaced by `matrix`. */
export function withMatrix(readme: string, matrix: string): string {
  const start = readme.indexOf(MATRIX_START);
  const end = readme.indexOf(MATRIX_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${MATRIX_START} … ${MATRIX_END} block`);
  return `${readme.slice(0, start + MATRIX_START.length)}\n${matrix}\n${readme.slice(end)}`;
}

/** The matrix block as it stands in the README. */
export function matrixIn(readme: string): string | undefined {
  const start = readme.indexOf(MATRIX_START);
  const end = readme.indexOf(MATRIX_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + MATRIX_START.length, end).trim();
}

export const README_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md');

async function main(argv: string[]): Promise<void> {
  const matrix = renderAccessMatrix();
  if (!argv.includes('--write')) {
    process.stdout.write(`${matrix}\n`);
    return;
  }
  const readme = await readFile(README_PATH, 'utf8');
  const updated = withMatrix(readme, matrix);
  if (updated !== readme) await writeFile(README_PATH, updated);
  process.stdout.write(updated === readme ? 'README.md: the access matrix is up to date\n' : 'README.md: access matrix updated\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
