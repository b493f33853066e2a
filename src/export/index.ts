import { UsageError } from '../errors.js';
import { renderCompose } from './compose.js';
import { renderKubernetes } from './kubernetes.js';
import { renderLaunchd } from './launchd.js';
import { checkFileNames } from './names.js';
import type { ExportFile, ExportPlan, Renderer } from './plan.js';
import { renderRunit } from './runit.js';
import { renderSupervisord } from './supervisord.js';
import { renderSystemd } from './systemd.js';

/** Every export format, by the name `foreman-ts export FORMAT` takes. */
export const RENDERERS: Readonly<Record<string, Renderer>> = {
  compose: renderCompose,
  kubernetes: renderKubernetes,
  launchd: renderLaunchd,
  runit: renderRunit,
  supervisord: renderSupervisord,
  systemd: renderSystemd,
};

export const FORMATS: readonly string[] = Object.keys(RENDERERS);

/** Formats that can render a one-off admin process (--run). */
const ONE_OFF_FORMATS: readonly string[] = ['kubernetes'];

/**
 * The -l folder the engine needs before it starts (supervisord refuses a config whose log
 * folder is missing; launchd does not create it): `export` makes it. runit's log/run makes its
 * own; the others log to the journal or the container engine.
 */
export function logFolderOf(format: string, plan: ExportPlan): string | undefined {
  return format === 'supervisord' || format === 'launchd' ? plan.logDir : undefined;
}

export function findRenderer(format: string): Renderer {
  const renderer = Object.hasOwn(RENDERERS, format) ? RENDERERS[format] : undefined;
  if (renderer === undefined) {
    throw new UsageError(`unknown format "${format}"`, `known: ${FORMATS.join(', ')}`);
  }
  return renderer;
}

/** The files for `format`, checked for what only some formats can do. */
export function renderExport(format: string, plan: ExportPlan): ExportFile[] {
  const renderer = findRenderer(format);
  if (plan.oneOff !== undefined && !ONE_OFF_FORMATS.includes(format)) {
    throw new UsageError(
      `--run is for ${ONE_OFF_FORMATS.join(', ')} only, not ${format}`,
      'on a host, use "foreman-ts run COMMAND"',
    );
  }
  const files = renderer(plan);
  checkFileNames(plan, files);
  return files;
}
