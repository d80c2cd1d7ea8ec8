/**
 * One-time codes that let `acr-check --send` post a report into one conversation, beside one
 * diagnosis. Short-lived and single use; kept in the bot's state storage (shared by its instances)
 * under a hash, so the storage never holds a usable code. Redeeming writes with the entry's eTag:
 * of two uses at once, only one wins.
 */
import { createHash, randomInt } from 'node:crypto';
import type { ConversationReference, Storage } from 'botbuilder';
import { CODE_ALPHABET as ALPHABET, normalizeCode } from '../handover/protocol.js';
import type { Lang } from '../engine/report/types.js';

export interface Handover {
  diagnosisId: string;
  /** The registry's login server: a report for another registry is refused. */
  loginServer: string;
  lang: Lang;
  conversation: Partial<ConversationReference>;
  expiresAt: string;
  usedAt?: string;
}

export type Redeemed = { ok: true; handover: Handover } | { ok: false; reason: 'unknown' | 'expired' | 'used' };
export type Used = { ok: true; handover: Handover; usedAt: string } | { ok: false; reason: 'unknown' | 'expired' | 'used' };

export function newCode(): string {
  const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

/** The stored entry as a hand-over: storage's own bookkeeping left out. */
function withoutETag(entry: Handover & { eTag?: string }): Handover {
  const copy = { ...entry };
  delete copy.eTag;
  return copy;
}

export class HandoverCodes {
  constructor(
    private readonly storage: Storage,
    private readonly ttlMs: number,
  ) {}

  private key(code: string): string {
    return `acr-doctor/handover/${createHash('sha256').update(code).digest('hex')}`;
  }

  async issue(handover: Omit<Handover, 'expiresAt'>, now = Date.now()): Promise<{ code: string; expiresAt: string }> {
    const code = newCode();
    const expiresAt = new Date(now + this.ttlMs).toISOString();
    await this.storage.write({ [this.key(code)]: { ...handover, expiresAt } });
    return { code, expiresAt };
  }

  private async look(input: string, now: number): Promise<{ key: string; found: Handover & { eTag?: string } } | { ok: false; reason: 'unknown' | 'expired' | 'used' }> {
    const code = normalizeCode(input);
    if (!code) return { ok: false, reason: 'unknown' };
    const key = this.key(code);
    const found = (await this.storage.read([key]))[key] as (Handover & { eTag?: string }) | undefined;
    if (!found) return { ok: false, reason: 'unknown' };
    if (found.usedAt) return { ok: false, reason: 'used' };
    if (Date.parse(found.expiresAt) <= now) return { ok: false, reason: 'expired' };
    return { key, found };
  }

  /** The hand-over a code stands for, if it may still be used; nothing is written. */
  async check(code: string, now = Date.now()): Promise<Redeemed> {
    const looked = await this.look(code, now);
    if (!('found' in looked)) return looked;
    return { ok: true, handover: withoutETag(looked.found) };
  }

  /** Uses the code up: of two uses at once, one gets the hand-over and the other "used". */
  async redeem(code: string, now = Date.now()): Promise<Used> {
    const looked = await this.look(code, now);
    if (!('found' in looked)) return looked;
    const { key, found } = looked;
    const usedAt = new Date(now).toISOString();
    try {
      await this.storage.write({ [key]: { ...found, usedAt, eTag: found.eTag ?? '*' } });
    } catch {
      return { ok: false, reason: 'used' }; // another use won the write
    }
    return { ok: true, handover: withoutETag(found), usedAt };
  }

  /**
   * Gives a redeemed code back, when what it was redeemed for could not be done (the card could not
   * be posted): the user runs the same command again. Only the use made at `usedAt` is undone.
   */
  async release(code: string, usedAt: string): Promise<void> {
    const normalized = normalizeCode(code);
    if (!normalized) return;
    const key = this.key(normalized);
    const found = (await this.storage.read([key]))[key] as (Handover & { eTag?: string }) | undefined;
    if (found?.usedAt !== usedAt) return;
    const entry: Handover & { eTag?: string } = { ...found, eTag: found.eTag ?? '*' };
    delete entry.usedAt;
    await this.storage.write({ [key]: entry });
  }
}
