// LW106: synchronous SDK clients (LLM, cloud, mail, memory stores) do network I/O inside each call.
import type { RuleFamily } from './table';

export const blockingSdk: RuleFamily = {
  code: 'LW106',
  name: 'blocking-sdk',
  title: 'Blocking SDK or network client',
  family: 'blocking',
  alternative: 'use the async client, or await asyncio.to_thread(...)',
  entries: [
    {
      kind: 'embed',
      calls: ['openai.{OpenAI,AzureOpenAI}().embeddings.create', 'openai.Embedding.create'],
      alternative: 'use openai.AsyncOpenAI (await client.embeddings.create(...))',
    },
    {
      kind: 'llm',
      calls: ['openai.{OpenAI,AzureOpenAI}().*', 'openai.{ChatCompletion,Completion}.create'],
      // close() only closes the client's pooled HTTP connections: no request, no wait on a server.
      except: ['with_options', 'with_raw_response', 'close'],
      alternative: 'use openai.AsyncOpenAI (await client.chat.completions.create(...))',
    },
    {
      kind: 'llm',
      calls: ['anthropic.{Anthropic,AnthropicBedrock,AnthropicVertex}().*'],
      except: ['with_options', 'with_raw_response', 'close'],
      alternative: 'use anthropic.AsyncAnthropic',
    },
    {
      kind: 'llm',
      calls: [
        '{langchain,langchain_core,langchain_openai,langchain_anthropic,langchain_community,langchain_google_genai,langchain_ollama}.*().{invoke,batch,stream,predict,run}',
        'langchain_core.runnables.RunnableSequence().{invoke,batch,stream}',
      ],
      alternative: 'use .ainvoke / .abatch / .astream',
    },
    {
      kind: 'llm',
      calls: ['mem0.Memory().{add,search,get,get_all,update,delete,delete_all,history,reset}', 'mem0.MemoryClient().*'],
      alternative: 'use mem0.AsyncMemory / AsyncMemoryClient',
    },
    {
      kind: 'cloud',
      calls: ['boto3.client().*', 'boto3.resource().*'],
      except: [
        'generate_presigned_url', 'generate_presigned_post', 'get_paginator', 'get_waiter', 'can_paginate', 'close',
        'Bucket', 'Object', 'Table', 'Queue', 'Topic', 'Instance', 'Volume', 'Vpc', 'meta', 'exceptions',
      ],
      alternative: 'use aioboto3 / aiobotocore, or await asyncio.to_thread(...)',
    },
    {
      kind: 'cloud',
      calls: ['google.cloud.{storage,bigquery,firestore,pubsub,pubsub_v1}.*().*'],
      except: ['generate_signed_url', 'bucket', 'blob', 'collection', 'document', 'where', 'order_by', 'limit', 'dataset', 'table', 'topic_path', 'subscription_path', 'close'],
      alternative: 'use the google-cloud async client, or await asyncio.to_thread(...)',
    },
    {
      kind: 'vector',
      calls: ['qdrant_client.QdrantClient().*', 'pinecone.Pinecone().Index().*', 'chromadb.*Client().*'],
      except: ['Index'],
      alternative: 'use the async client (qdrant_client.AsyncQdrantClient, ...)',
    },
    {
      kind: 'mail',
      calls: ['twilio.rest.Client().*', 'smtplib.{SMTP,SMTP_SSL}', 'smtplib.{SMTP,SMTP_SSL}().{sendmail,send_message,login,starttls,connect,quit,ehlo}'],
      alternative: 'use aiosmtplib, or FastAPI BackgroundTasks',
      testAlternative: 'use aiosmtplib, or await asyncio.to_thread(...)',
    },
    {
      kind: 'http',
      // Fetches Google's signing certificates over HTTP on every call without a cache.
      calls: ['google.oauth2.id_token.{verify_oauth2_token,verify_token,verify_firebase_token,fetch_id_token}'],
      alternative: 'await asyncio.to_thread(id_token.verify_oauth2_token, ...), or verify with cached keys',
    },
    {
      kind: 'http',
      calls: ['{langchain_community,langchain}.document_loaders.*().{load,load_and_split}'],
      alternative: 'use await loader.aload(), or await asyncio.to_thread(loader.load)',
    },
    {
      kind: 'http',
      // Hugging Face Hub downloads and API calls go over HTTP (a snapshot can be gigabytes); a file
      // already in the local cache still costs a metadata request unless HF_HUB_OFFLINE is set.
      calls: [
        'huggingface_hub.{snapshot_download,hf_hub_download,upload_file,upload_folder,create_repo,list_repo_files,model_info,list_models}',
        'huggingface_hub.HfApi().*',
      ],
      except: ['close'],
      alternative: 'await asyncio.to_thread(...), or download once at startup, off the event loop',
      testAlternative: 'await asyncio.to_thread(...), or download once before the event loop starts',
    },
    {
      kind: 'http',
      calls: ['ftplib.{FTP,FTP_TLS}', 'ftplib.{FTP,FTP_TLS}().*', 'paramiko.SSHClient().{connect,exec_command}', 'paramiko.SFTPClient().*'],
      except: ['set_missing_host_key_policy', 'load_system_host_keys'],
      alternative: 'use asyncssh / aioftp, or await asyncio.to_thread(...)',
    },
  ],
};
