/**
 * Sign-in before Azure is read as the asker (ARM_ACCESS=user): Teams single sign-on first, silently
 * (the OAuth card carries the token exchange resource; Teams exchanges its own token for the user,
 * TeamsSSOTokenExchangeMiddleware de-duplicates it across instances), and the sign-in button when
 * that fails (consent missing, a client without SSO). Either way the diagnosis then runs: as the user
 * when a token came, with the probes only (and the reason) when not.
 */
import { OAuthPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { TokenResponse, TurnContext } from 'botbuilder';
import { InterruptibleDialog } from './interruptible-dialog.js';
import { langOfLocale } from './commands.js';
import { t } from '../src/engine/i18n/i18n.js';
import { LANGS, type Lang } from '../src/engine/report/types.js';
import type { DiagnosisAsked } from '../src/engine/knowledge/understand.js';

export const SIGN_IN_DIALOG = 'signInDialog';
const MAIN = 'signInWaterfall';
const promptOf = (lang: Lang): string => `signInPrompt-${lang}`;
/** How long the sign-in button stays good. */
const SIGN_IN_TIMEOUT_MS = 5 * 60_000;

/** The diagnosis to run once the asker is signed in. */
export type SignInOptions = DiagnosisAsked & { registry: string; symptoms: string[] };

/** Runs the diagnosis; `userToken` is the asker's SSO token, absent when they did not sign in. */
export type StartAsUser = (context: TurnContext, options: SignInOptions, userToken: string | undefined) => Promise<void>;

export class SignInDialog extends InterruptibleDialog {
  constructor(connectionName: string, private readonly start: StartAsUser) {
    super(SIGN_IN_DIALOG);
    // The sign-in card's words are the prompt's settings: one prompt per language.
    for (const lang of LANGS) {
      this.addDialog(new OAuthPrompt(promptOf(lang), { connectionName, title: t(lang, 'signIn.button'), text: t(lang, 'signIn.text'), timeout: SIGN_IN_TIMEOUT_MS, endOnInvalidMessage: true }));
    }
    this.addDialog(new WaterfallDialog(MAIN, [this.signIn.bind(this), this.diagnose.bind(this)]));
    this.initialDialogId = MAIN;
  }

  private async signIn(step: WaterfallStepContext) {
    return step.beginDialog(promptOf(langOfLocale(step.context.activity.locale)));
  }

  private async diagnose(step: WaterfallStepContext) {
    const token = (step.result as TokenResponse | undefined)?.token;
    const options = step.options as SignInOptions;
    if (!token) await step.context.sendActivity(t(langOfLocale(step.context.activity.locale), 'signIn.probesOnly', { registry: options.registry }));
    await this.start(step.context, options, token);
    return step.endDialog();
  }
}
