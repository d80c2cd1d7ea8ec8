/** `npm start`: the Teams bot on localhost, with embedded defaults (no Azure account needed). */
import { readConfig } from './config.js';
import { startServer } from './server.js';

startServer(readConfig()).catch((err: unknown) => {
  process.stderr.write(`acr-doctor could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
