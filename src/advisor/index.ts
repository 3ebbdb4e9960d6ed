// Public API of the worker advisor (pure: no `vscode` import).
export {
  UsageError, DEFAULTS, parseRecommendArgs, resolveInputs, makeInputs, parseMemory, parseCpus, parseTraffic, parseLoadTestSpec,
  type AdvisorInputs, type RecommendArgs, type LoadTestRow, type LoadTestSpec, type DeploymentLimits,
} from './inputs';
export { readLoadTests, parseLoadTest, type LoadTestFormat, type ParsedLoadTest } from './loadtests';
export {
  readDeployment, findDeploymentFiles, parseDeploymentText, deploymentLimits, analyzeCommand, tokenizeShell,
  type DeploymentInfo, type DeploymentKind, type DeploymentScan,
} from './deploy';
export {
  recommend, deploymentFindings, profileScan, stepTraffic, stepMixed, cpuFormula, ccuSizing, memoryModel, evaluateLoadTests, GUIDE,
  type Recommendation, type TraceStep, type StepId, type MatrixRow, type MemoryModel, type DeploymentFinding, type ScanProfile,
} from './engine';
export { formatRecommendationText, formatRecommendationJson } from './format';
export { loadAdvisorContext, type AdvisorContext } from './context';
