// A scan keeps every file's model until the cross-file pass and the fixes are done, so what a model
// holds is most of a cold scan's heap. Arrays filled with push() keep spare capacity (an array that
// grew from [] to one element has room for 17), and a model has one such array per binding name per
// scope and several per function: trimming them to their length once the model is complete saves
// about a sixth of its heap (500-file benchmark: 105 -> 88 MB) without changing what it holds.
// Only for models nothing rebuilds in place: an open document's parts are shared with its next model.
import type { FileModel } from './model';

/** Trims the model's arrays to their length, in place; returns the model. */
export function compactModel(model: FileModel): FileModel {
  for (const scope of model.scopes) {
    for (const [name, list] of scope.bindings) {
      scope.bindings.set(name, list.slice());
    }
  }
  for (const fn of model.functions) {
    fn.calls = fn.calls.slice();
    fn.params = fn.params.slice();
    fn.decorators = fn.decorators.slice();
    fn.returns = fn.returns.slice();
  }
  for (const loop of model.loops) loop.targets = loop.targets.slice();
  for (const c of model.calls) c.args = c.args.slice();
  model.scopes = model.scopes.slice();
  model.functions = model.functions.slice();
  model.classes = model.classes.slice();
  model.calls = model.calls.slice();
  model.loops = model.loops.slice();
  model.imports = model.imports.slice();
  model.lineStarts = model.lineStarts.slice();
  return model;
}
