// LW101: synchronous HTTP clients wait for the network while holding the event loop, so every
// other request on the worker waits too.
import type { RuleFamily } from './table';

const VERBS = '{get,post,put,patch,delete,head,options,request}';

export const blockingHttp: RuleFamily = {
  code: 'LW101',
  name: 'blocking-http',
  title: 'Blocking HTTP call',
  family: 'blocking',
  alternative: 'use httpx.AsyncClient (await client.get(...)) or aiohttp',
  entries: [
    {
      kind: 'http',
      calls: [
        `requests.${VERBS}`,
        `requests.api.${VERBS}`,
        `requests.Session().{get,post,put,patch,delete,head,options,request,send}`,
        `httpx.{get,post,put,patch,delete,head,options,request,stream}`,
        `httpx.Client().{get,post,put,patch,delete,head,options,request,send,stream}`,
        'urllib.request.{urlopen,urlretrieve}',
        'urllib.request.OpenerDirector().open',
        'urllib3.request',
        'urllib3.{PoolManager,ProxyManager,HTTPConnectionPool,HTTPSConnectionPool}().{request,urlopen,request_encode_url,request_encode_body}',
        'http.client.{HTTPConnection,HTTPSConnection}().{request,getresponse,connect}',
        'socket.{create_connection,getaddrinfo,gethostbyname,gethostbyaddr}',
        'socket.socket().{connect,recv,recv_into,recvfrom,send,sendall,sendto,accept}',
      ],
    },
  ],
};
