// `npm run keys:rotate [-- --alg RS256] [-- --force]`: the same as `npx tessera keys rotate`, for
// cron jobs and deploy scripts that prefer an npm script.
import { runCli } from '../src/cli/main.js';

process.exitCode = await runCli(['keys', 'rotate', ...process.argv.slice(2)]);
