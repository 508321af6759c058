import { type ChildSpec, restartOf, shutdownOf, typeOf } from './child-spec.js';
import type { Pid } from './pid.js';
import type { Self } from './process.js';
import { formatReason, isCrash } from './reason.js';

/*
 * Supervisor reports, as OTP's supervisor logs them (`?report_error/4`, `report_progress/2`),
 * as structured pino records with stable labels. Tests and log pipelines match on
 * `label` and `context`; the human message is secondary.
 *
 *   label 'supervisor_report' (level error), context:
 *     'child_terminated'  a child exited and the supervisor acts on it (restart or forget)
 *     'start_error'       a child's start function failed (at start, restart or startChild)
 *     'shutdown_error'    a child ended with an unexpected reason while being shut down
 *     'shutdown'          reason 'reached_max_restart_intensity': the supervisor gives up
 *   label 'progress' (level info for 'restarting', debug for 'started'), context:
 *     'restarting'        a child is about to be restarted (after its child_terminated)
 *     'started'           a child started (OTP's PROGRESS REPORT)
 */

/** The `context` of a `supervisor_report` record. */
export type SupervisorReportContext = 'child_terminated' | 'start_error' | 'shutdown_error' | 'shutdown';

/** The `context` of a `progress` record. */
export type ProgressContext = 'started' | 'restarting';

/** The child a report is about (OTP's "offender"). */
export interface Offender {
  id: string | undefined;
  pid: Pid<any> | 'restarting' | readonly Pid<any>[] | undefined;
  spec: Pick<ChildSpec, 'restart' | 'shutdown' | 'type'>;
}

const pidText = (pid: Offender['pid']): string | string[] | undefined =>
  pid === undefined || typeof pid === 'string'
    ? pid
    : Array.isArray(pid)
      ? pid.map(String)
      : (pid as Pid<any>).toString();

/** Logs a `supervisor_report` record: the supervisor's name, the offender and the reason. */
export function reportError(
  self: Self,
  supervisor: string,
  context: SupervisorReportContext,
  reason: unknown,
  child: Offender,
): void {
  const record: Record<string, unknown> = {
    label: 'supervisor_report',
    context,
    supervisor,
    childId: child.id,
    childPid: pidText(child.pid),
    reason: formatReason(reason),
    restartType: restartOf(child.spec),
    shutdown: shutdownOf(child.spec),
    childType: typeOf(child.spec),
  };
  if (isCrash(reason) && reason[1] instanceof Error) record.err = reason[1];
  const who = child.id === undefined ? String(record.childPid) : JSON.stringify(child.id);
  self.logger.error(record, `supervisor ${supervisor}: ${context} (child ${who}): ${formatReason(reason)}`);
}

/** Logs a `progress` record: a child started, or is about to be restarted. */
export function reportProgress(
  self: Self,
  supervisor: string,
  context: ProgressContext,
  child: Offender,
  reason?: unknown,
): void {
  const record: Record<string, unknown> = {
    label: 'progress',
    context,
    supervisor,
    childId: child.id,
    childPid: pidText(child.pid),
    childType: typeOf(child.spec),
  };
  // A DynamicSupervisor's children have no id: name them by pid, as reportError does.
  const who = child.id === undefined ? String(record.childPid) : JSON.stringify(child.id);
  if (context === 'restarting') {
    record.reason = formatReason(reason);
    self.logger.info(record, `supervisor ${supervisor}: restarting child ${who}`);
  } else {
    self.logger.debug(record, `supervisor ${supervisor}: started child ${who}`);
  }
}
