/**
 * Teams sends its single sign-on token exchange to every instance behind the bot, and
 * TeamsSSOTokenExchangeMiddleware lets one through by writing the exchange's id as a new item's
 * eTag, expecting every other write to fail. Blob Storage fails all of them (an eTag on an item that
 * does not exist yet is a failed precondition), so no exchange would go through. This storage gives
 * the middleware that guarantee on any Storage: per conversation, one record of the exchanges let
 * through, updated only with the eTag it was read with, so of two instances at once one wins.
 */
import type { Storage, StoreItems } from 'botbuilder';

/** Exchanges remembered per conversation: Teams retries one within seconds, never much later. */
const KEEP = 20;

interface Record {
  ids: string[];
  eTag?: string;
}

/** What the middleware recognises as "another instance has it": an eTag conflict. */
const conflict = (): Error => new Error('eTag conflict: this token exchange was taken by another instance');

const isPreconditionFailed = (err: unknown): boolean => (err as { statusCode?: unknown } | undefined)?.statusCode === 412 || (err instanceof Error && /etag conflict|precondition|condition .* not met/i.test(err.message));

export function exchangeOnce(storage: Storage): Storage {
  const recordKey = (key: string): string => `acr-doctor/sso-exchange/${key.split('/').slice(0, -1).join('/')}`;
  const claim = async (key: string, id: string): Promise<void> => {
    const at = recordKey(key);
    let found = (await storage.read([at]))[at] as Record | undefined;
    if (!found) {
      // The conversation's first exchange: an empty record, then the same conditional write as always.
      await storage.write({ [at]: { ids: [], eTag: '*' } });
      found = (await storage.read([at]))[at] as Record | undefined;
    }
    if (!found || found.ids.includes(id)) throw conflict();
    try {
      await storage.write({ [at]: { ids: [...found.ids, id].slice(-KEEP), eTag: found.eTag ?? '*' } });
    } catch (err) {
      if (isPreconditionFailed(err)) throw conflict();
      throw err;
    }
  };
  return {
    read: (keys) => storage.read(keys),
    delete: (keys) => storage.delete(keys),
    write: async (changes: StoreItems) => {
      for (const [key, item] of Object.entries(changes)) {
        const id = (item as { eTag?: unknown } | undefined)?.eTag;
        if (typeof id !== 'string' || !id) throw new Error('a token exchange without an id');
        await claim(key, id);
      }
    },
  };
}
