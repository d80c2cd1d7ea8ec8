/**
 * The bot's HTTP server: `POST /api/messages` (Bot Framework, CloudAdapter), `POST /api/reports`,
 * `GET /acr-check.mjs` (handover/cli-file.ts) and `GET /healthz`.
 * Without a MicrosoftAppId it runs unauthenticated, for local use only, and says so in its log.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, MemoryStorage, TeamsSSOTokenExchangeMiddleware, type Activity, type ConversationReference, type InvokeResponse, type Storage, type TurnContext } from 'botbuilder';
import { pino, type Logger } from 'pino';
import restify from 'restify';
import { azureAccess } from '../engine/azure/access.js';
import { armDecision } from '../engine/azure/arm-policy.js';
import { onBehalfOf } from '../engine/azure/on-behalf-of.js';
import { exchangeOnce } from './exchange-once.js';
import { cloudFor } from '../engine/azure/cloud.js';
import { defaultCredential, sharedTokens } from '../engine/azure/credential.js';
import { AcrDoctorBot } from './acr-bot.js';
import { langOfLocale } from '../../dialogs/commands.js';
import type { BotConfig } from './config.js';
import { diagnose } from '../engine/diagnose.js';
import { Escalations } from '../escalation/escalations.js';
import { assertWritableDir } from '../escalation/json-files.js';
import { outboxDir, ticketSink } from '../escalation/sinks/choose.js';
import { severitiesUpTo } from '../escalation/ticket.js';
import { ticketCard } from '../../cards/escalation-cards.js';
import { cardActivity } from '../../cards/card-activity.js';
import { t } from '../engine/i18n/i18n.js';
import { TOOL } from '../engine/version.js';
import { REPORTS_PATH } from '../handover/protocol.js';
import { readCliFile, serveCliFile } from './cli-file.js';
import { clientAddress, rateKey } from './http/client-address.js';
import { RateLimit } from './http/rate-limit.js';
import { malformedActivity, nonLocalServiceUrl, refuseBeforeReading, refuseBrowser } from './http/request-guard.js';
import { BoundedError, errorLine, stackOf } from '../engine/net/error-line.js';
import { AzureClients } from '../engine/azure/clients.js';

/** Limits on how long one client may take to send its request, and how many may be connected at once. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
const MAX_CONNECTIONS = 1_000;
const CHECK_TIMEOUTS_EVERY_MS = 1_000;

export interface RunningServer {
  url: string;
  bot: AcrDoctorBot;
  close(): Promise<void>;
}

/** Blob Storage's SDK is loaded only when configured: a bot on MemoryStorage does not carry it. */
async function stateStorage(config: BotConfig, logger: Logger): Promise<Storage> {
  if (!config.storageConnectionString && !config.storageBlobUrl) return new MemoryStorage();
  const { BlobsStorage } = await import('botbuilder-azure-blobs');
  if (config.storageConnectionString) {
    logger.info({ container: config.storageContainer }, 'conversation state in Azure Blob Storage (connection string)');
    return new BlobsStorage(config.storageConnectionString, config.storageContainer);
  }
  // In Azure: the bot's own identity (its managed identity, AZURE_CLIENT_ID), no key anywhere.
  const credential = sharedTokens(await defaultCredential(cloudFor('azurecr.io', config.azureEnv), config.azureEnv));
  logger.info({ account: config.storageBlobUrl, container: config.storageContainer }, 'conversation state in Azure Blob Storage (Entra identity)');
  return new BlobsStorage('', config.storageContainer, undefined, `${config.storageBlobUrl}/${config.storageContainer}`, credential);
}

/**
 * A failed turn, told: one log line (the error bounded, its stack frames), and the user's apology
 * with a correlation id. False when even the apology could not be sent (the connector is unreachable).
 */
async function apologise(context: TurnContext, error: unknown, logger: Logger): Promise<boolean> {
  const correlationId = randomUUID();
  const conversation = context.activity.conversation?.id;
  logger.error({ error: errorLine(error), stack: stackOf(error), correlationId, conversation }, 'turn failed');
  try {
    await context.sendActivity(t(langOfLocale(context.activity.locale), 'bot.error', { id: correlationId }));
    return true;
  } catch (again) {
    logger.error({ error: errorLine(again), correlationId, conversation, serviceUrl: context.activity.serviceUrl }, 'connector unreachable: the turn’s answer was not delivered');
    return false;
  }
}

/** The activity as CloudAdapter.process hands it on: its times as dates, the strings they came as kept beside. */
function withDates(activity: Activity): Activity {
  const fixed = activity as Activity & { rawTimestamp?: string; rawLocalTimestamp?: string; rawExpiration?: string };
  const raw = activity as unknown as Record<string, unknown>;
  if (typeof raw.timestamp === 'string') {
    fixed.rawTimestamp = raw.timestamp;
    fixed.timestamp = new Date(raw.timestamp);
  }
  if (typeof raw.localTimestamp === 'string') {
    fixed.rawLocalTimestamp = raw.localTimestamp;
    fixed.localTimestamp = new Date(raw.localTimestamp);
  }
  if (typeof raw.expiration === 'string') {
    fixed.rawExpiration = raw.expiration;
    fixed.expiration = new Date(raw.expiration);
  }
  return fixed;
}

/** The adapter, with its turn processing open to the route, which answers every outcome itself. */
class AcrAdapter extends CloudAdapter {
  processTurn(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

export async function startServer(config: BotConfig, logger: Logger = pino({ level: config.logLevel })): Promise<RunningServer> {
  await assertWritableDir(outboxDir(config.tickets.dataDir), 'DATA_DIR');
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.appId,
    MicrosoftAppPassword: config.appPassword,
    MicrosoftAppType: config.appType,
    MicrosoftAppTenantId: config.appTenantId,
    ...config.botFrameworkEndpoints,
  });
  const adapter = new AcrAdapter(auth);
  // An incoming turn's failures are caught in the route below. What reaches here failed outside one (a
  // card posted or updated later): its caller decides, told the error without its request and token.
  adapter.onTurnError = (_context: TurnContext, error: Error) => Promise.reject(new BoundedError(error));
  const continueConversation = (reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> => adapter.continueConversationAsync(config.appId, reference, logic);
  // Read as the user, Azure support tickets are filed as the user too (they need Support Request Contributor).
  const ticketsAsUser = config.armPolicy.mode === 'user' && config.tickets.sink === 'azure';
  const escalations = new Escalations<Partial<ConversationReference>>({
    sink: ticketSink(config.tickets, config.azureEnv),
    dir: outboxDir(config.tickets.dataDir),
    logger,
    firstDelayMs: config.tickets.retryFirstDelayMs,
    asUser: ticketsAsUser,
    // Told later, in the conversation the escalation came from.
    notify: (escalation) => continueConversation(escalation.reference, async (context) => void (await context.sendActivity(cardActivity(ticketCard(escalation.request.lang, escalation))))),
  });
  // The CLI file the cards send failing machines to, with its SHA-256 on every card.
  const cli = await readCliFile();
  if ('missing' in cli) logger.warn({ reason: cli.missing }, 'GET /acr-check.mjs answers 404: cards show no commands for the failing machine');
  const storage = await stateStorage(config, logger);
  // Teams sends the SSO token exchange to every instance behind the bot: one of them exchanges it.
  if (config.sso) adapter.use(new TeamsSSOTokenExchangeMiddleware(exchangeOnce(storage), config.sso.connectionName));
  const severities = severitiesUpTo(escalations.sink.severities, config.tickets.maxSeverity);
  if (severities.length === 0) throw new Error(`TICKET_MAX_SEVERITY=${config.tickets.maxSeverity} leaves none of the ${escalations.sink.kind} sink's severities (${escalations.sink.severities.join(', ')})`);
  // The asker's own rights, on their behalf (single sign-on), in the cloud of the registry read.
  const { sso } = config;
  const asUser = sso && ((token: string, suffix = 'azurecr.io') => onBehalfOf(sso, token, cloudFor(suffix, config.azureEnv)));
  // The bot's own identity and its ARM clients, made once for every diagnosis that reads with them.
  const azureClients = new AzureClients(config.azureEnv);
  const bot = new AcrDoctorBot({
    diagnose,
    // Azure is read within what the asker's tenant, team or channel may read (ARM_ACCESS, ARM_SCOPES).
    azure: (target, asker, userToken) => {
      const decision = armDecision(config.armPolicy, asker);
      if (!decision.read) return { ...azureAccess({ target, arm: false }, config.azureEnv), armSkipped: decision.reason };
      if (decision.asUser) {
        // Not signed in, nothing of Azure is read.
        if (!asUser || !userToken) return { armSkipped: 'skip.arm-not-signed-in' };
        return azureAccess({ target, arm: true, credential: () => asUser(userToken, target.suffix) }, config.azureEnv);
      }
      return azureAccess({ target, arm: true, clients: azureClients, ...(decision.scopes ? { scopes: decision.scopes } : {}) }, config.azureEnv);
    },
    ...(sso ? { sso: { connectionName: sso.connectionName } } : {}),
    ...(ticketsAsUser && asUser ? { ticketCredential: (token: string) => asUser(token) } : {}),
    armMode: config.armPolicy.mode,
    continueConversation,
    escalations,
    escalationPolicy: {
      severities,
      subscriptions: config.tickets.supportSubscriptionIds,
      perUserPerHour: config.tickets.escalationsPerHour,
    },
    handover: { publicUrl: config.publicUrl, ttlMs: config.handoverTtlMs, image: config.handoverImage, ...('sha256' in cli ? { cliSha256: cli.sha256 } : {}) },
    logger,
    budgetMs: config.budgetMs,
    limits: config.diagnoses,
    allowedTenants: config.allowedTenants,
    storage,
  });

  const server = restify.createServer({ name: TOOL.name, version: TOOL.version });
  // Uploads are counted before their bodies are read, so a flood costs the bot almost nothing.
  const uploads = new RateLimit(config.reportsPerMinute);
  server.pre((req, res, next) => {
    if (req.method !== 'POST' || req.getPath() !== REPORTS_PATH) return next();
    const wait = uploads.take(rateKey(clientAddress(req.socket.remoteAddress ?? '', req.headers['x-forwarded-for'], config.trustedProxyHops)));
    if (wait === undefined) return next();
    res.header('retry-after', String(wait));
    res.send(429, { error: 'too-many', message: `too many reports from this address; try again in ${wait} s`, retryAfter: wait });
    return next(false);
  });
  server.pre((req, res, next) => {
    if (req.method !== 'POST') return next();
    // Unauthenticated, the bot would act for any web page the developer opens: browsers send an Origin.
    const refused = (!config.appId ? refuseBrowser(req.headers) : undefined) ?? refuseBeforeReading(req.headers);
    if (!refused) return next();
    res.send(refused.status, refused.body);
    return next(false);
  });
  // JSON only: restify's full body parser would write multipart parts to disk before authentication.
  // jsonBodyParser hands its options to restify's body reader, which bounds the body (its types omit that).
  const jsonOptions: restify.plugins.JsonBodyParserOptions & { maxBodySize: number } = { maxBodySize: config.maxBodyBytes, mapParams: false };
  server.use(restify.plugins.jsonBodyParser(jsonOptions));
  server.post('/api/messages', async (req, res) => {
    const malformed = malformedActivity(req.body as unknown) ?? (!config.appId ? nonLocalServiceUrl(req.body as unknown) : undefined);
    if (malformed) return void res.send(malformed.status, malformed.body);
    // CloudAdapter.process would answer any failure with a 500 carrying the raw error, and print it
    // whole: authentication and the turn's failures are answered here, each with its own status.
    const turn = { started: false, undelivered: false };
    try {
      const invoke = await adapter.processTurn(String(req.headers.authorization ?? ''), withDates(req.body as Activity), async (context) => {
        turn.started = true;
        try {
          await bot.run(context);
        } catch (error) {
          turn.undelivered = !(await apologise(context, error, logger));
        }
      });
      if (turn.undelivered) return void res.send(502, { error: 'connector-unreachable', message: 'the answer could not be delivered to the Bot Framework connector' });
      res.send(invoke?.status ?? 200, invoke?.body);
    } catch (err) {
      // Before the turn: the request's Bot Framework token was missing, wrong or unverifiable.
      if (!turn.started) {
        logger.warn({ error: errorLine(err) }, 'request refused: not authenticated by the Bot Framework');
        return void res.send(401, { error: 'unauthorized', message: 'the request is not authenticated by the Bot Framework' });
      }
      const correlationId = randomUUID();
      logger.error({ error: errorLine(err), stack: stackOf(err), correlationId }, 'turn failed after it ended');
      res.send(500, { error: 'internal', message: `internal error, correlation id ${correlationId}` });
    }
  });
  server.post(REPORTS_PATH, async (req, res) => {
    const answer = await bot.receiveReport(req.body as unknown).catch((err: unknown) => {
      const correlationId = randomUUID();
      logger.error({ error: errorLine(err), stack: stackOf(err), correlationId }, 'report intake failed');
      return { status: 500, body: { message: `internal error, correlation id ${correlationId}` } };
    });
    res.send(answer.status, answer.body);
  });
  serveCliFile(server, cli);
  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok', name: TOOL.name, version: TOOL.version, diagnosesRunning: bot.running });
    return next();
  });

  // A slow client is cut off in seconds, not held for Node's default five minutes.
  server.server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.server.maxConnections = MAX_CONNECTIONS;
  // Node looks for expired requests every 30 s by default: a dribbling client would get up to that much more.
  // Read when the server starts listening; the types know it only as a constructor option.
  (server.server as typeof server.server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = CHECK_TIMEOUTS_EVERY_MS;
  // The outbox is read (a damaged file quarantined) before the first request is served.
  const resumed = await escalations.start();
  if (resumed > 0) logger.info({ pending: resumed }, 'resuming escalations left pending');
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  logger.info({ url, authenticated: Boolean(config.appId) }, `${TOOL.name} ${TOOL.version} listening on ${url}/api/messages`);
  if (!config.appId) logger.warn('no MicrosoftAppId: requests are NOT authenticated; use this only on localhost');
  if (config.appId && !config.publicUrl) logger.warn('no BOT_PUBLIC_URL (https, as failing machines reach the bot): "Run it from the failing machine" says it is not set up, and shows no address');
  if (config.allowedTenants.includes('*')) logger.warn('ALLOWED_TENANTS=*: every Microsoft Entra tenant may use this bot');
  const { armPolicy } = config;
  if (armPolicy.mode === 'bot' && armPolicy.unrestricted && config.appId) logger.warn('ARM_SCOPES=*: every user of an allowed tenant may read, through the bot, whatever the bot\'s identity can read in Azure');
  if (armPolicy.mode === 'bot' && !armPolicy.unrestricted && armPolicy.rules.length === 0) logger.warn('ARM_ACCESS=bot without ARM_SCOPES: no conversation reads Azure configuration; diagnoses run the probes only');
  const reads =
    armPolicy.mode === 'none'
      ? 'Azure configuration is not read (ARM_ACCESS=none)'
      : armPolicy.mode === 'user'
        ? 'Azure configuration is read as the user who asks (single sign-on, on their behalf)'
        : `Azure configuration is read with the bot's identity${armPolicy.unrestricted ? '' : ', within ARM_SCOPES'}`;
  logger.info({ mode: armPolicy.mode, rules: armPolicy.rules.length, unrestricted: armPolicy.unrestricted }, reads);
  logger.info({ sink: config.tickets.sink, dataDir: config.tickets.dataDir }, `escalations go to the ${config.tickets.sink} ticket sink`);
  return {
    url,
    bot,
    close: () =>
      new Promise<void>((resolve) => {
        escalations.stop();
        server.close(() => resolve());
      }),
  };
}
