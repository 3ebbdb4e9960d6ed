; Every node kind the file model (src/core/python/model.ts) reads: one query pass replaces a full
; tree walk. Loaded from this folder at start-up (parser.ts, loadQuery); the capture names are the
; model builder's switch cases.
(function_definition) @def
(class_definition) @class
(lambda) @lambda
[(list_comprehension) (set_comprehension) (dictionary_comprehension) (generator_expression)] @comp
(for_in_clause) @forin
(for_statement) @for
(while_statement) @while
(call) @call
(await (call) @awaited)
(expression_statement (call) @stmtcall)
(await) @await
(import_statement) @import
(import_from_statement) @importfrom
(assignment) @assign
(augmented_assignment) @augassign
(named_expression) @walrus
(with_statement) @with
(with_item) @withitem
(return_statement) @return
(yield) @yield
(global_statement) @global
(nonlocal_statement) @global
(break_statement) @break
(try_statement) @try
(comment) @comment
(ERROR) @error
