// LW204: decoding, resizing and rendering images and documents is CPU work that blocks the loop.
import type { RuleFamily } from './table';

export const cpuMedia: RuleFamily = {
  code: 'LW204',
  name: 'cpu-media',
  title: 'Image, media or document processing on the event loop',
  family: 'cpu',
  alternative: 'run it in a ProcessPoolExecutor (await loop.run_in_executor(pool, ...))',
  entries: [
    {
      kind: 'image',
      calls: [
        'PIL.Image.open',
        'PIL.Image.Image().{resize,thumbnail,save,convert,rotate,filter,transform,crop,paste,reduce}',
        'cv2.*',
        '{fitz,pymupdf}.open',
        'fitz.Document().*',
        'pdfplumber.open',
        'pypdf.PdfReader',
        'imageio.{imread,imwrite,mimread,mimwrite}',
      ],
      except: ['IMREAD_COLOR', 'COLOR_BGR2RGB'],
    },
  ],
};
