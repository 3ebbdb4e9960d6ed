// LW105: synchronous database and cache drivers wait for the server on the event loop thread.
import type { RuleFamily } from './table';

const SESSION_IO = '{query,execute,scalar,scalars,get,commit,flush,refresh,merge,delete,rollback,exec,get_one,connection}';

/**
 * A legacy `Session.query(...)` builds a Query and runs nothing: the SQL runs at a terminal call (or
 * when the Query is iterated). `session.query(...)` is reported where the same expression runs it
 * (`db.query(U).filter(...).first()`, one finding with the whole chain moved by the fix); a Query kept
 * in a name is reported at its terminal call (`rows = db.query(U)`, then `rows.count()`). See
 * CallGraph.queryRunsNothing.
 */
export const SESSION_QUERY = 'sqlalchemy.orm.Session().query';
export const QUERY = 'sqlalchemy.orm.Query()';
/** Query methods that return another Query (generative: nothing runs). */
export const QUERY_BUILDERS = [
  'filter', 'filter_by', 'where', 'join', 'outerjoin', 'order_by', 'group_by', 'having', 'limit', 'offset', 'slice',
  'options', 'distinct', 'with_entities', 'add_columns', 'add_column', 'add_entity', 'select_from', 'execution_options',
  'populate_existing', 'with_for_update', 'params', 'correlate', 'enable_eagerloads', 'enable_assertions', 'yield_per',
  'union', 'union_all', 'intersect', 'except_', 'from_statement', 'with_parent', 'autoflush', 'reset_joinpoint',
  'with_hint', 'prefix_with', 'suffix_with', 'with_labels', 'set_label_style', 'with_session', 'tuples',
];
/** Query methods that run its SQL. */
export const QUERY_RUNS = new Set(['all', 'first', 'one', 'one_or_none', 'scalar', 'count', 'get', 'delete', 'update']);
/** Query methods that turn it into a SQL construct for another statement: nothing runs. */
export const QUERY_SQL = new Set(['subquery', 'cte', 'exists', 'scalar_subquery', 'as_scalar', 'label']);

export const blockingDatabase: RuleFamily = {
  code: 'LW105',
  name: 'blocking-database',
  title: 'Blocking database or cache call',
  family: 'blocking',
  alternative: 'use an async driver (SQLAlchemy AsyncSession, asyncpg, redis.asyncio, motor), or a plain def handler',
  testAlternative: 'use an async driver (SQLAlchemy AsyncSession, asyncpg, redis.asyncio, motor), or await asyncio.to_thread(...)',
  entries: [
    {
      kind: 'db',
      calls: [
        `sqlalchemy.orm.Session().${SESSION_IO}`,
        `${QUERY}.{${[...QUERY_RUNS].join(',')}}`,
        'sqlalchemy.engine.Engine().{connect,begin,execute,raw_connection}',
        'sqlalchemy.engine.Connection().{execute,scalar,scalars,commit,rollback,exec_driver_sql}',
        '{psycopg2,psycopg,pymysql,MySQLdb,mysql.connector,sqlite3,cx_Oracle,oracledb,pyodbc}.connect',
        'dbapi.Connection().{commit,rollback,execute,executemany}',
        'dbapi.Cursor().{execute,executemany,fetchone,fetchall,fetchmany,callproc}',
        'sqlalchemy.engine.reflection.Inspector().{get_schema_names,get_table_names,get_view_names,get_columns,get_indexes,get_foreign_keys,get_pk_constraint,get_unique_constraints,has_table,has_schema}',
      ],
      alternative: 'use an async driver (SQLAlchemy AsyncSession, asyncpg, aiomysql, aiosqlite), or a plain def handler',
      testAlternative: 'use an async driver (SQLAlchemy AsyncSession, asyncpg, aiomysql, aiosqlite), or await asyncio.to_thread(...)',
    },
    {
      kind: 'db',
      calls: ['pymongo.MongoClient().*'],
      except: ['get_database', 'get_collection', 'get_default_database', 'with_options', 'codec_options'],
      alternative: 'use motor / pymongo AsyncMongoClient',
    },
    {
      kind: 'db',
      calls: ['elasticsearch.Elasticsearch().*', 'opensearchpy.OpenSearch().*'],
      alternative: 'use elasticsearch.AsyncElasticsearch',
    },
    {
      kind: 'cache',
      calls: ['redis.Redis().*', 'redis.client.Pipeline().execute', 'pymemcache.client.base.Client().*'],
      except: ['pipeline', 'pubsub', 'lock', 'register_script', 'connection_pool'],
      alternative: 'use redis.asyncio.Redis (await r.get(...))',
    },
  ],
};
