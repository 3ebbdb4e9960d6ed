// LW105: synchronous database and cache drivers wait for the server on the event loop thread.
import type { RuleFamily } from './table';

const SESSION_IO = '{query,execute,scalar,scalars,get,commit,flush,refresh,merge,delete,rollback,exec,get_one,connection}';

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
