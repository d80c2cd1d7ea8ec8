/**
 * The process entry of `npm start` and of App Service's start command, `node dist/src/start.js`:
 * kept at this path so deployments made before keep starting. The bot's start-up is src/bot/start.ts.
 */
import './bot/start.js';
