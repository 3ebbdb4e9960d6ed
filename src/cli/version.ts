// Kept in step with package.json by the build (esbuild inlines the JSON import).
import pkg from '../../package.json';
export const VERSION: string = pkg.version;
