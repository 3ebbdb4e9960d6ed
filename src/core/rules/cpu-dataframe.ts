// LW202: pandas / numpy / scipy work holds the GIL for its whole duration.
import type { RuleFamily } from './table';

export const cpuDataframe: RuleFamily = {
  code: 'LW202',
  name: 'cpu-dataframe',
  title: 'Dataframe or numeric work on the event loop',
  family: 'cpu',
  alternative: 'run it in a ProcessPoolExecutor, or precompute it outside the request',
  testAlternative: 'run it in a ProcessPoolExecutor (await loop.run_in_executor(pool, ...))',
  entries: [
    {
      kind: 'dataframe',
      calls: [
        'pandas.{read_csv,read_excel,read_json,read_parquet,read_sql,read_sql_query,read_table,read_html,read_feather,read_pickle,concat,merge,pivot_table}',
        'pandas.DataFrame().{apply,applymap,map,groupby,merge,join,pivot,pivot_table,sort_values,to_csv,to_excel,to_parquet,to_json,rolling,resample,describe,agg,aggregate,transform,drop_duplicates,corr}',
        'polars.{read_csv,read_parquet,read_json}',
      ],
    },
    {
      kind: 'numeric',
      calls: [
        'numpy.linalg.{inv,svd,eig,eigh,solve,lstsq,pinv,det,qr,cholesky}',
        'numpy.fft.*',
        'numpy.{convolve,correlate}',
        'scipy.{optimize,linalg,signal,integrate,spatial,interpolate}.*',
      ],
    },
  ],
};
