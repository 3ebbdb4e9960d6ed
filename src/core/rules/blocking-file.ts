// LW104: disk I/O is synchronous in Python; on a slow or network disk it stalls every request.
import type { RuleFamily } from './table';

export const blockingFile: RuleFamily = {
  code: 'LW104',
  name: 'blocking-file',
  title: 'Blocking file system call',
  family: 'blocking',
  alternative: 'use aiofiles / anyio.Path, or await asyncio.to_thread(...)',
  entries: [
    {
      kind: 'file',
      calls: [
        'builtins.open',
        'io.{open,open_code}',
        'codecs.open',
        'pathlib.Path().{read_text,read_bytes,write_text,write_bytes,open,touch,mkdir,unlink,rmdir,rename,replace,iterdir,glob,rglob}',
        'shutil.{copy,copy2,copyfile,copytree,copyfileobj,move,rmtree,make_archive,unpack_archive,disk_usage}',
        'os.{listdir,scandir,remove,unlink,rename,renames,replace,mkdir,makedirs,rmdir,removedirs,walk,symlink,link,truncate}',
        '{gzip,bz2,lzma}.open',
        'glob.{glob,iglob}',
        'tempfile.{NamedTemporaryFile,TemporaryFile,TemporaryDirectory,mkstemp,mkdtemp}',
      ],
    },
  ],
};
