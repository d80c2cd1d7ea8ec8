/** `help` and `cancel` work at any step of any dialog: handled once, here. */
import { ComponentDialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { cardActivity } from '../cards/card-activity.js';
import { helpCard } from '../cards/cards.js';
import { langOfLocale, parseCommand } from './commands.js';
import { t } from '../src/engine/i18n/i18n.js';

export abstract class InterruptibleDialog extends ComponentDialog {
  protected override async onContinueDialog(inner: DialogContext): Promise<DialogTurnResult> {
    const lang = langOfLocale(inner.context.activity.locale);
    const { name } = parseCommand(inner.context.activity.text ?? '');
    if (name === 'help') {
      await inner.context.sendActivity(cardActivity(helpCard(lang)));
      await inner.repromptDialog();
      return { status: 'waiting' as DialogTurnResult['status'] };
    }
    if (name === 'cancel') {
      await inner.context.sendActivity(t(lang, 'dialog.cancelled'));
      return inner.cancelAllDialogs();
    }
    return super.onContinueDialog(inner);
  }
}
