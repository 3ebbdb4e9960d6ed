// One call for the CLI/extension: read deployment files and load tests, then merge them with the flags.
import { deploymentLimits, readDeployment, type DeploymentInfo } from './deploy';
import { resolveInputs, type AdvisorInputs, type RecommendArgs } from './inputs';
import { readLoadTests } from './loadtests';

export interface AdvisorContext { inputs: AdvisorInputs; deployments: DeploymentInfo[]; notes: string[] }

/** Throws UsageError for bad load-test files; unreadable deployment files only add notes. */
export function loadAdvisorContext(args: RecommendArgs): AdvisorContext {
  const paths = args.paths.length > 0 ? args.paths : ['.'];
  const deploy = readDeployment(paths);
  const tests = readLoadTests(args.loadTests);
  const inputs = resolveInputs(args, deploymentLimits(deploy.deployments), tests.rows);
  return { inputs, deployments: deploy.deployments, notes: [...deploy.notes, ...tests.notes] };
}
