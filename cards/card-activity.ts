/** A card as the activity that carries it. */
import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import type { Card } from './cards.js';

export const cardActivity = (card: Card): Partial<Activity> => MessageFactory.attachment(CardFactory.adaptiveCard(card));
