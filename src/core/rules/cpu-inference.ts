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
