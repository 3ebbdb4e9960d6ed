// LW103: running a child process synchronously blocks the loop until the child exits.
import type { RuleFamily } from './table';

export const blockingSubprocess: RuleFamily = {
  code: 'LW103',
  name: 'blocking-subprocess',
  title: 'Blocking subprocess',
  family: 'blocking',
  alternative: 'use await asyncio.create_subprocess_exec(...) and await proc.communicate()',
  entries: [
    {
      kind: 'subprocess',
      calls: [
        'subprocess.{run,call,check_call,check_output,getoutput,getstatusoutput,Popen}',
        'subprocess.Popen().{wait,communicate}',
        'os.{system,popen,wait,waitpid,wait3,wait4,waitid,posix_spawn,posix_spawnp}',
        'os.{spawnl,spawnle,spawnlp,spawnlpe,spawnv,spawnve,spawnvp,spawnvpe}',
      ],
    },
  ],
};
