/**
 * What the fuzzing found that the bot still does wrong, as data: the requests that show it, what
 * happens today, and which answers or logged turn failures the properties tolerate while it is open.
 * Fixing the bot means deleting the id from OPEN: its test (fuzz-findings.test.ts) then runs, and the
 * properties (fuzz.test.ts) become strict about it again.
 */
export interface Finding {
  id: string;
  /** What the bot should do instead: the test's title. */
  should: string;
  /** What happens today, and where the fix belongs. */
  today: string;
  /** Activities sent in order, in one conversation of their own, to a bot whose connector is `serviceUrl`. */
  repro(serviceUrl: string, activity: (conversation: string, fields: Record<string, unknown>, serviceUrl: string) => Record<string, unknown>): Record<string, unknown>[];
  /** A 5xx the properties accept while the finding is open: exactly this request class and answer. */
  tolerates?(sent: string, answer: { status: number | undefined; text: string }): boolean;
  /** A turn failure the bot logs for it ("turn failed"), which the properties accept while it is open. */
  turnFailure?: RegExp;
}

const DEEP = 3000;
/** A card submit's value nested DEEP levels: 18 KB, under every body limit. */
function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { x: value };
  return value;
}

export const FINDINGS: Finding[] = [
  {
    id: 'wrong-typed-echoed-field',
    should: 'ids, names, locale and conversation fields of the wrong JSON type get 400, not a 5xx',
    today:
      'an activity whose id, channelId, from/recipient id, name or role, conversation name, tenantId, conversationType or isGroup, or locale has the wrong JSON type (a number, an object, an array) gets 502 "connector-unreachable" at 24d2571 (a 500 with the serializer\'s message before 11c8711): the reply copies those fields, the connector client\'s serializer refuses them ("activity.from.id with value \\"0\\" must be of type string"; "Maximum call stack size exceeded" for a deeply nested id; "(locale ?? \\"\\").slice is not a function" for a locale), and so does the apology. The input is at fault, not the connector; malformedActivity (src/http/request-guard.ts) checks only type and conversation.id',
    repro: (url, activity) => [
      activity('finding-echoed-1', { text: 'help', recipient: { id: 0, name: 'acr-doctor' } }, url),
      activity('finding-echoed-2', { text: 'help', from: { id: 'user-1', name: 5 } }, url),
      activity('finding-echoed-3', { text: 'help', id: 5 }, url),
      activity('finding-echoed-4', { text: 'help', channelId: true }, url),
      activity('finding-echoed-5', { text: 'help', conversation: { id: 'finding-echoed-5', isGroup: 'x' } }, url),
      activity('finding-echoed-6', { text: 'help', locale: 5 }, url),
    ],
    tolerates: (sent, answer) => (answer.status ?? 0) >= 500 && wrongTypedEchoed(sent),
    turnFailure: /must be of type (string|boolean)|\(locale \?\? ""\)\.slice|Maximum call stack size exceeded/,
  },
  {
    id: 'unhandled-invoke',
    should: 'an invoke the bot does not handle gets 2xx or 4xx, not 501',
    today: "an invoke activity (any name, e.g. adaptiveCard/action from an Action.Execute) gets botbuilder's 501 Not Implemented with an empty body: ActivityHandler answers 501 for every invoke the bot does not override (src/bot/acr-bot.ts)",
    repro: (url, activity) => [activity('finding-invoke', { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'rerun', data: { registry: 'myregistry' } } } }, url)],
    tolerates: (sent, answer) => answer.status === 501 && /^\{"type":"invoke"/.test(sent),
  },
  {
    id: 'deep-card-value',
    should: 'a card submit value nested 3,000 levels is refused or handled, not a turn that overflows the stack',
    today: `a card submit whose value is nested ${DEEP} levels (18 KB) answers 200 with "Sorry, something went wrong": withoutBidiControlsDeep (src/report/outside-text.ts, called by withoutBidiControlsIn in src/bot/acr-bot.ts) recurses and overflows the stack ("Maximum call stack size exceeded"; 2,000 levels pass, 2,500 fail); uploads are shape-checked first (UPLOAD_SHAPE), activities are not`,
    repro: (url, activity) => [activity('finding-deep', { text: 'help', value: nested(DEEP) }, url)],
    turnFailure: /Maximum call stack size exceeded/,
  },
  {
    id: 'escalate-unchecked-registry',
    should: 'Escalate with a registry the bot cannot parse says so, and no turn fails',
    today:
      'Escalate with a registry the bot cannot parse ({ verb: "escalate", registry: "my registry" }), then "yes", "skip", "1": the last turn answers "Sorry, something went wrong" (DialogContextError target.badCharacters). dialogs/escalate-dialog.ts begins the diagnose dialog with the card\'s registry; its askRegistry step skips validation for a known registry, and its diagnose step\'s parseRegistryTarget throws',
    repro: (url, activity) => [
      activity('finding-escalate', { value: { verb: 'escalate', registry: 'my registry' } }, url),
      activity('finding-escalate', { text: 'yes' }, url),
      activity('finding-escalate', { text: 'skip' }, url),
      activity('finding-escalate', { text: '1' }, url),
    ],
    turnFailure: /^turn failed: DialogContextError: target\.\w+$/,
  },
  {
    id: 'wrong-typed-read-field',
    should: 'text, entities, recipient or channelId of the wrong type or null get 400, not a turn that fails',
    today:
      'an activity with text 5 or {}, entities "x" or null, recipient null, channelId null, or a conversationUpdate with membersAdded "x", answers 200 with "Sorry, something went wrong" (or nothing): its turn fails inside the bot ("text.trim is not a function", "activity.text.replace is not a function", "Cannot read properties of undefined (reading \'toLowerCase\')", "Cannot read properties of null (reading \'length\')", "Cannot read properties of null (reading \'id\')", "missing activity.channelId", "(context.activity.membersAdded ?? []).some is not a function"); these are malformed requests that should get 400 before the turn',
    repro: (url, activity) => [
      activity('finding-read-1', { text: 5 }, url),
      activity('finding-read-2', { text: 'help', entities: 'x' }, url),
      activity('finding-read-3', { text: 'help', entities: null }, url),
      activity('finding-read-4', { text: 'help', recipient: null }, url),
      activity('finding-read-5', { text: 'help', channelId: null }, url),
      activity('finding-read-6', { text: { id: null } }, url),
      activity('finding-read-7', { type: 'conversationUpdate', membersAdded: 'x' }, url),
    ],
    turnFailure: /is not a function|Cannot read properties of (null|undefined)|missing activity\.channelId/,
  },
  {
    id: 'mention-without-text',
    should: 'a message that mentions the bot but has no text (a card submit) is answered, not a turn that fails',
    today:
      'an activity whose entities mention the bot and which carries no text failed its turn ("Cannot read properties of undefined (reading \'replace\')"): TurnContext.removeRecipientMention replaces in the text it assumes is there (src/bot/acr-bot.ts)',
    repro: (url, activity) => [activity('finding-mention', { text: undefined, value: { verb: 'rerun', registry: 'myregistry' }, entities: [{ type: 'mention', mentioned: { id: 'bot-1', name: 'acr-doctor' } }] }, url)],
    turnFailure: /reading 'replace'/,
  },
  {
    id: 'empty-type-or-channel',
    should: 'an activity whose type or channelId is an empty string gets 400, not a turn that fails',
    today: 'an activity with type "" reached the turn, which failed ("Activity is missing its type"), once the bot processed activities itself instead of through CloudAdapter.process (src/http/request-guard.ts checked only that they were strings)',
    repro: (url, activity) => [activity('finding-empty-type', { type: '' }, url), activity('finding-empty-channel', { text: 'help', channelId: '' }, url)],
    turnFailure: /missing its type|missing activity\.channelId/,
  },
  {
    id: 'oversized-id-in-reply-url',
    should: 'an activity id or conversation id of 16,000 characters gets 400, not a 5xx',
    today:
      "an activity whose id or conversation.id is 16,000 characters (5,000 pass) gets 502 \"connector-unreachable\" at 24d2571 (a 500 with an empty body, and the whole RestError printed to stderr, before 11c8711): the reply's URL (/v3/conversations/{conversation}/activities/{id}) is refused by the connector (the stub, a Node server, answers 431), and so is the apology; ids are not bounded in malformedActivity (src/http/request-guard.ts)",
    repro: (url, activity) => [activity('finding-long-id', { text: 'help', id: 'x'.repeat(16_000) }, url), activity('x'.repeat(16_000), { text: 'help' }, url)],
    tolerates: (sent, answer) => (answer.status ?? 0) >= 500 && longIds(sent),
    turnFailure: /^turn failed: (RestError|DialogContextError): $/,
  },
  {
    id: 'conversation-id-not-a-header-value',
    should: 'a conversation id with control characters or characters above U+00FF gets 400 (or a reply), not a 5xx',
    today:
      'an activity whose conversation.id holds a character Node refuses in a header value (U+0000–U+0008, U+000A–U+001F, U+007F, anything above U+00FF: "Ā", "😀", "a\\u0000b") gets 502 "connector-unreachable" at 24d2571 (a 500 whose body was "Invalid character in header content [\\"x-ms-conversation-id\\"]" before 11c8711): the connector client copies the id into that header, and the request is never sent; "é", "ÿ" and a tab pass',
    repro: (url, activity) => [activity('Ā', { text: 'help' }, url), activity('😀', { text: 'help' }, url), activity('a\u0000b', { text: 'help' }, url)],
    tolerates: (sent, answer) => (answer.status ?? 0) >= 500 && conversationIdNotAHeader(sent),
    turnFailure: /Invalid character in header content/,
  },
];

/** Fields the bot's reply copies from the activity, and the JSON type the connector client's serializer wants there (null passes). */
const ECHOED: [string[], 'string' | 'boolean'][] = [
  [['id'], 'string'],
  [['channelId'], 'string'],
  [['locale'], 'string'],
  ...['from', 'recipient'].flatMap((who) => ['id', 'name', 'role'].map((f): [string[], 'string'] => [[who, f], 'string'])),
  ...['name', 'tenantId', 'conversationType'].map((f): [string[], 'string'] => [['conversation', f], 'string']),
  [['conversation', 'isGroup'], 'boolean'],
];

/** True when a field the reply copies has a JSON type the serializer refuses. */
function wrongTypedEchoed(sent: string): boolean {
  try {
    const activity = JSON.parse(sent) as unknown;
    return ECHOED.some(([path, type]) => {
      const value = path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), activity);
      return value !== undefined && value !== null && typeof value !== type;
    });
  } catch {
    return false;
  }
}

/** True when the conversation id holds a character Node refuses in a header value. */
function conversationIdNotAHeader(sent: string): boolean {
  try {
    const id = (JSON.parse(sent) as { conversation?: { id?: unknown } }).conversation?.id;
    return typeof id === 'string' && /[^\t\x20-\x7e\x80-\xff]/.test(id);
  } catch {
    return false;
  }
}

/** True when the activity's id or conversation id is longer than a URL path segment can be. */
function longIds(sent: string): boolean {
  try {
    const activity = JSON.parse(sent) as { id?: unknown; conversation?: { id?: unknown } };
    return [activity.id, activity.conversation?.id].some((id) => typeof id === 'string' && id.length > 10_000);
  } catch {
    return false;
  }
}

/** Findings the bot still has: delete an id when its fix lands. */
export const OPEN = new Set<string>([]);

const open = (): Finding[] => FINDINGS.filter((f) => OPEN.has(f.id));

/** The open finding that explains a 5xx, if one does. */
export const toleratedBy = (sent: string, answer: { status: number | undefined; text: string }): Finding | undefined => open().find((f) => f.tolerates?.(sent, answer));

/** The open finding that explains a logged turn failure, if one does. */
export const explainedBy = (failure: string): Finding | undefined => open().find((f) => f.turnFailure?.test(failure));
