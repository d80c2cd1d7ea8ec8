/**
 * The baseline of `npm run bench:bot`: a bare botbuilder echo bot on what acr-doctor stands on
 * (CloudAdapter, unauthenticated as in local mode; restify with jsonBodyParser; PORT and HOST as
 * the bot reads them) and a turn counter in ConversationState on MemoryStorage, so that the bot's
 * figures can be read as multiples of what botbuilder and restify alone cost on the same machine.
 */
import type { AddressInfo } from 'node:net';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, ConversationState, MemoryStorage, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import restify from 'restify';
import { MAX_REPORT_BYTES } from '../src/handover/protocol.js';

class EchoBot extends ActivityHandler {
  private readonly turns: StatePropertyAccessor<number>;

  constructor(private readonly conversationState: ConversationState) {
    super();
    this.turns = conversationState.createProperty<number>('turns');
    this.onMessage(async (context, next) => {
      const turns = (await this.turns.get(context, 0)) + 1;
      await this.turns.set(context, turns);
      await context.sendActivity(`echo ${turns}: ${context.activity.text ?? ''}`);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
  }
}

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
adapter.onTurnError = async (context, error) => {
  process.stderr.write(`echo bot: turn failed: ${error.message}\n`);
  await context.sendActivity('echo bot: turn failed');
};
const bot = new EchoBot(new ConversationState(new MemoryStorage()));

const server = restify.createServer({ name: 'echo-bot' });
// The same body parser and limit as the bot's server, so the baseline reads requests the same way.
const jsonOptions: restify.plugins.JsonBodyParserOptions & { maxBodySize: number } = { maxBodySize: MAX_REPORT_BYTES, mapParams: false };
server.use(restify.plugins.jsonBodyParser(jsonOptions));
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.listen(Number(process.env.PORT ?? 3978), process.env.HOST ?? '127.0.0.1', () => {
  process.stdout.write(`echo bot listening on port ${(server.address() as AddressInfo).port}\n`);
});
