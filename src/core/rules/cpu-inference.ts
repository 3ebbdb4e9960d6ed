// LW201: model inference is pure CPU: while it runs no other request on the worker makes progress.
import type { RuleFamily } from './table';

export const cpuInference: RuleFamily = {
  code: 'LW201',
  name: 'cpu-inference',
  title: 'ML inference on the event loop',
  family: 'cpu',
  alternative: 'run it in a ProcessPoolExecutor (await loop.run_in_executor(pool, ...)) or a model server',
  entries: [
    {
      kind: 'ml',
      calls: [
        'loopwise.Model().{predict,predict_proba,predict_log_proba,decision_function,transform,fit,fit_transform,score,encode,generate,forward,run,embed_query,embed_documents}',
        'loopwise.Model()',
        'transformers.pipeline',
        'onnxruntime.InferenceSession().run',
      ],
    },
  ],
};

/**
 * The ML-model heuristic (documented in the README, "ML-model heuristic"): when a receiver's type
 * cannot be told (its module is not part of the scan, or it is built at run time), a receiver named
 * like a model (`model`, `self.clf`, `sentiment_model`, `classifier`) calling one of these methods
 * is taken for model inference.
 */
export const MODEL_METHODS = new Set(['predict', 'predict_proba', 'generate', 'encode']);
export const MODEL_RECEIVER = /^(?:\w*_)?(?:model|clf|classifier|regressor|estimator|predictor|embedder)$/i;
