// Canonical types: what a factory or constructor call returns, so rules can be written once per
// type (`sqlalchemy.orm.Session()`) however the object was made (`SessionLocal()`, `Session(engine)`).
import { QUERY, QUERY_BUILDERS } from './blocking-database';
import { expandBraces, patternToRegex } from './table';

const ALIASES: [string, string][] = [
  ['requests.{session,Session,sessions.Session,sessions.session}()', 'requests.Session()'],
  ['httpx._client.Client()', 'httpx.Client()'],
  ['{sqlalchemy.orm,sqlalchemy.orm.session,sqlmodel,sqlmodel.orm.session}.Session()', 'sqlalchemy.orm.Session()'],
  ['{sqlalchemy.orm,sqlalchemy.orm.session}.sessionmaker()()', 'sqlalchemy.orm.Session()'],
  ['{sqlalchemy.orm,sqlalchemy.orm.scoping}.scoped_session()', 'sqlalchemy.orm.Session()'],
  ['sqlalchemy.orm.Session()()', 'sqlalchemy.orm.Session()'],
  ['{sqlalchemy,sqlalchemy.engine,sqlmodel}.create_engine()', 'sqlalchemy.engine.Engine()'],
  ['sqlalchemy.engine.Engine().{connect,begin}()', 'sqlalchemy.engine.Connection()'],
  ['{sqlalchemy.ext.asyncio,sqlalchemy.ext.asyncio.session}.async_sessionmaker()()', 'sqlalchemy.ext.asyncio.AsyncSession()'],
  ['{sqlalchemy.ext.asyncio.session,sqlmodel.ext.asyncio.session}.AsyncSession()', 'sqlalchemy.ext.asyncio.AsyncSession()'],
  ['{sqlalchemy.ext.asyncio,sqlalchemy.ext.asyncio.scoping}.async_scoped_session()', 'sqlalchemy.ext.asyncio.AsyncSession()'],
  ['sqlalchemy.ext.asyncio.AsyncSession()()', 'sqlalchemy.ext.asyncio.AsyncSession()'],
  ['{sqlalchemy.ext.asyncio,sqlalchemy.ext.asyncio.engine}.create_async_engine()', 'sqlalchemy.ext.asyncio.AsyncEngine()'],
  ['sqlalchemy.ext.asyncio.AsyncEngine().{connect,begin}()', 'sqlalchemy.ext.asyncio.AsyncConnection()'],
  ['{psycopg2,psycopg,pymysql,MySQLdb,mysql.connector,sqlite3,cx_Oracle,oracledb,pyodbc}.connect()', 'dbapi.Connection()'],
  ['psycopg.Connection.connect()', 'dbapi.Connection()'],
  ['psycopg2.pool.*().getconn()', 'dbapi.Connection()'],
  ['dbapi.Connection().cursor()', 'dbapi.Cursor()'],
  ['sqlite3.Connection()', 'dbapi.Connection()'],
  ['sqlite3.Cursor()', 'dbapi.Cursor()'],
  ['{redis.StrictRedis,redis.client.Redis,redis.client.StrictRedis,redis.from_url,redis.Redis.from_url}()', 'redis.Redis()'],
  ['redis.Redis().pipeline()', 'redis.client.Pipeline()'],
  ['{redis.asyncio.from_url,redis.asyncio.Redis.from_url,redis.asyncio.client.Redis}()', 'redis.asyncio.Redis()'],
  ['pymongo.mongo_client.MongoClient()', 'pymongo.MongoClient()'],
  // `mongo["db"]["events"]`, `mongo.shop["users"]`, `mongo.get_database("x")`: databases and
  // collections do their I/O like the client.
  ['pymongo.MongoClient()[]', 'pymongo.MongoClient()'],
  ['pymongo.MongoClient().*[]', 'pymongo.MongoClient()'],
  ['pymongo.MongoClient().{get_database,get_collection,get_default_database,with_options}()', 'pymongo.MongoClient()'],
  ['{boto3.session.Session,boto3.Session}().client()', 'boto3.client()'],
  ['{boto3.session.Session,boto3.Session}().resource()', 'boto3.resource()'],
  // Lazy handles: methods on a bucket, blob, table or document do the I/O, like the client's own.
  ['boto3.resource().{Bucket,Object,Table,Queue,Topic,Instance,Volume,Vpc}()', 'boto3.resource()'],
  ['google.cloud.storage.Client().{bucket,blob}()', 'google.cloud.storage.Client()'],
  ['google.cloud.firestore.Client().{collection,document}()', 'google.cloud.firestore.Client()'],
  ['google.cloud.bigquery.Client().{dataset,table}()', 'google.cloud.bigquery.Client()'],
  ['openai.Client()', 'openai.OpenAI()'],
  ['openai.AsyncClient()', 'openai.AsyncOpenAI()'],
  ['{pathlib.PosixPath,pathlib.WindowsPath,pathlib.PurePath,pathlib.PurePosixPath}()', 'pathlib.Path()'],
  ['pathlib.Path.{cwd,home}()', 'pathlib.Path()'],
  ['pathlib.Path().{parent,parents[]}', 'pathlib.Path()'],
  ['pathlib.Path().{absolute,resolve,with_name,with_suffix,with_stem,joinpath,expanduser,relative_to}()', 'pathlib.Path()'],
  ['concurrent.futures.{ThreadPoolExecutor,ProcessPoolExecutor}().submit()', 'concurrent.futures.Future()'],
  ['{joblib.load,pickle.load,pickle.loads,dill.load,cloudpickle.load,torch.load,torch.jit.load,spacy.load}()', 'loopwise.Model()'],
  ['{keras,tensorflow.keras,tf.keras}.models.load_model()', 'loopwise.Model()'],
  ['keras.saving.load_model()', 'loopwise.Model()'],
  ['{sklearn,xgboost,lightgbm,catboost}.*()', 'loopwise.Model()'],
  ['transformers.*.from_pretrained()', 'loopwise.Model()'],
  ['transformers.pipeline()', 'loopwise.Model()'],
  ['sentence_transformers.{SentenceTransformer,CrossEncoder}()', 'loopwise.Model()'],
  ['ultralytics.YOLO()', 'loopwise.Model()'],
  ['{torch.nn.Module,torch.nn.Sequential}()', 'loopwise.Model()'],
  ['loopwise.Model().{eval,to,cuda,cpu,half}()', 'loopwise.Model()'],
  ['{PIL.Image.open,PIL.Image.new,PIL.Image.fromarray}()', 'PIL.Image.Image()'],
  ['PIL.Image.Image().{resize,convert,rotate,crop,filter,transform,copy}()', 'PIL.Image.Image()'],
  ['{fitz,pymupdf}.open()', 'fitz.Document()'],
  ['{pandas.read_csv,pandas.read_excel,pandas.read_json,pandas.read_parquet,pandas.read_sql,pandas.read_sql_query,pandas.read_table,pandas.concat,pandas.merge}()', 'pandas.DataFrame()'],
  ['pandas.DataFrame().{copy,merge,join,sort_values,drop,dropna,fillna,rename,reset_index,set_index,assign,query,head,tail,filter}()', 'pandas.DataFrame()'],
  ['{mem0.Memory.from_config,mem0.memory.main.Memory}()', 'mem0.Memory()'],
  ['{mem0.AsyncMemory.from_config,mem0.memory.main.AsyncMemory}()', 'mem0.AsyncMemory()'],
  ['pwdlib.PasswordHash.recommended()', 'pwdlib.PasswordHash()'],
  ['fastapi.applications.FastAPI()', 'fastapi.FastAPI()'],
  // A session a middleware keeps on the request (`request.state.db = SessionLocal()`).
  ['{fastapi,starlette.requests,fastapi.requests}.Request().state.{db,session,db_session}', 'sqlalchemy.orm.Session()'],
  ['{sqlalchemy,sqlalchemy.inspection}.inspect()', 'sqlalchemy.engine.reflection.Inspector()'],
  // A legacy Query, from `session.query(...)` and through its generative methods (see blocking-database.ts).
  ['{sqlalchemy.orm.Session().query,sqlalchemy.orm.query.Query}()', QUERY],
  [`${QUERY}.{${QUERY_BUILDERS.join(',')}}()`, QUERY],
  ['fastapi.routing.APIRouter()', 'fastapi.APIRouter()'],
  ['starlette.applications.Starlette()', 'fastapi.FastAPI()'],
];

const exact = new Map<string, string>();
const wild: { re: RegExp; to: string }[] = [];
/**
 * The first names of every alias pattern (up to its first `.`, `(`, `[`): a name whose first name is
 * none of these is no alias, nor is any longer name it starts (see mayAlias). Null when a pattern
 * starts with `*` (then any name may be one).
 */
let heads: Set<string> | null = new Set<string>();
for (const [from, to] of ALIASES) {
  for (const p of expandBraces(from)) {
    const h = headOf(p);
    if (h === null) heads = null;
    else heads?.add(h);
    if (p.includes('*')) wild.push({ re: patternToRegex(p), to });
    else exact.set(p, to);
  }
}

/** The text before the first `.`, `(` or `[` (all of it when none); null when a `*` comes first. */
function headOf(p: string): string | null {
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c === 42) return null; // *
    if (c === 46 || c === 40 || c === 91) return p.slice(0, i);
  }
  return p;
}

/**
 * Whether a name whose first dotted name is `first` (a name without dots, as splitSegments gives
 * it) can be an alias or start one: false means aliasOf is undefined for it and for every name that
 * starts with it and goes on with `.`, `(` or `[`.
 */
export function mayAlias(first: string): boolean {
  if (!heads) return true;
  const h = headOf(first);
  return h === null || heads.has(h);
}

/** Returns the canonical type for a whole name (a prefix of a longer name), or undefined. */
export function aliasOf(name: string): string | undefined {
  const hit = exact.get(name);
  if (hit !== undefined) return hit === name ? undefined : hit;
  // Indexed: an iterator result per pattern in code not yet optimised (asked at every rewrite step of a name that may alias).
  for (let i = 0; i < wild.length; i++) { const w = wild[i]; if (w.re.test(name) && w.to !== name) return w.to; }
  return undefined;
}
