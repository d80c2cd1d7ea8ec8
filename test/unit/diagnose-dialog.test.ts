import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { clientChoices, DiagnoseDialog, MAX_CLUSTER_CHOICES, type ClusterLister, type DiagnoseOptions } from '../../dialogs/diagnose-dialog.js';
import { recognizeChoices } from 'botbuilder-dialogs';
import { LANGS } from '../../src/engine/report/types.js';
import { t } from '../../src/engine/i18n/i18n.js';
import { CLIENT_KINDS } from '../../src/engine/report/types.js';
import { assertShownAsText, HOSTILE, markdownTexts, plain, textRuns } from '../helpers/card-texts.js';
import { assertValidCard } from '../helpers/validate-card.js';

interface Started {
  registry: string;
  symptoms: string[];
  client?: string;
  aksCluster?: string;
}

function client(options: DiagnoseOptions = {}, clusters?: ClusterLister): { test: DialogTestClient; started: Started[] } {
  const started: Started[] = [];
  const dialog = new DiagnoseDialog(async (_context, asked) => {
    started.push({ registry: asked.target.loginServer, symptoms: asked.symptoms, ...(asked.client ? { client: asked.client } : {}), ...(asked.aksCluster ? { aksCluster: asked.aksCluster } : {}) });
  }, clusters);
  return { test: new DialogTestClient('msteams', dialog, options), started };
}

type Step = [userSays: string | Partial<Activity>, botAnswers: RegExp];

async function converse(test: DialogTestClient, steps: Step[]): Promise<void> {
  for (const [says, answers] of steps) {
    const reply = (await test.sendActivity(says)) as Partial<Activity> | undefined;
    // A reply that quotes the user is a card: what it says is in its TextRuns.
    const text = reply?.text ?? [JSON.stringify(reply?.attachments ?? ''), ...textRuns(reply?.attachments)].join('\n');
    assert.match(text, answers, `after ${JSON.stringify(says)}`);
  }
}

describe('guided diagnosis dialog', function () {
  it('asks for the registry, the symptom and the client, re-asking a bad registry with the reason', async function () {
    const { test, started } = client();
    await converse(test, [
      ['hi', /Which registry\?/],
      ['https://myregistry.azurecr.io', /is a URL; give the registry name.*Which registry\?/s],
    ]);
    await converse(test, [
      ['myregistry', /What do you see\?.*1\. push\/pull fails with 'dial tcp/s],
      ['4', /Where does the failing client run\?.*AKS cluster/s],
      ['1', /.*/],
    ]);
    assert.deepEqual(started, [{ registry: 'myregistry.azurecr.io', symptoms: ['azure-service-cannot-pull'], client: 'aks' }]);
    assert.equal(test.dialogTurnResult.status, 'complete');
  });

  it('asks only for what it does not know yet', async function () {
    const { test, started } = client({ registry: 'myregistry', symptoms: ['client-timeout'] });
    await converse(test, [['start', /Where does the failing client run\?/]]);
    await test.sendActivity('tasks');
    assert.deepEqual(started, [{ registry: 'myregistry.azurecr.io', symptoms: ['client-timeout'], client: 'tasks' }]);
  });

  it('maps a pasted error to its symptom', async function () {
    const { test, started } = client({ registry: 'myregistry', client: 'vm' });
    await converse(test, [['start', /What do you see\?/]]);
    await test.sendActivity('Get "https://myregistry.azurecr.io/v2/": dial tcp: lookup myregistry.azurecr.io on 10.0.0.10:53: no such host');
    assert.deepEqual(started, [{ registry: 'myregistry.azurecr.io', symptoms: ['dns-lookup-failed'], client: 'vm' }]);
  });

  for (const [locale, skip] of [['en-US', 'skip'], ['en-US', "don't know"], ['ru-RU', 'не знаю'], ['ru-RU', 'пропустить'], ['ar-SA', 'لا أعرف'], ['ar-SA', 'تخطَّ']] as const) {
    it(`the symptom question can be declined: "${skip}" (${locale})`, async function () {
      const { test, started } = client({ registry: 'myregistry', client: 'vm' });
      await test.sendActivity({ type: 'message', text: 'start', locale });
      await test.sendActivity({ type: 'message', text: skip, locale });
      assert.deepEqual(started, [{ registry: 'myregistry.azurecr.io', symptoms: [], client: 'vm' }]);
    });
  }

  for (const [said, kind] of [['laptop', 'onprem'], ['on-prem', 'onprem'], ['kubernetes', 'aks'], ['aks', 'aks'], ['build agent', 'vm'], ['мой ноутбук', 'onprem'], ['агент сборки', 'vm'], ['كوبرنيتس', 'aks'], ['حاسوب محمول', 'onprem'], ['other', 'other']] as const) {
    it(`the client question takes a natural answer: "${said}" → ${kind}`, async function () {
      const { test, started } = client({ registry: 'myregistry', symptoms: ['client-timeout'] });
      await converse(test, [['start', /Where does the failing client run\?/]]);
      await test.sendActivity(said);
      assert.deepEqual(started, [{ registry: 'myregistry.azurecr.io', symptoms: ['client-timeout'], client: kind }]);
    });
  }

  it('re-asks the client question with the reason when it cannot tell', async function () {
    const { test, started } = client({ registry: 'myregistry', symptoms: ['client-timeout'] });
    await converse(test, [
      ['start', /Where does the failing client run\?/],
      ['the blue box', /could not tell where the client runs from "the blue box".*laptop, on-prem, AKS/s],
    ]);
    assert.deepEqual(started, []);
    await test.sendActivity('my laptop');
    assert.deepEqual(started, [{ registry: 'myregistry.azurecr.io', symptoms: ['client-timeout'], client: 'onprem' }], 'the question is still open');
  });

  it('quotes an answer it cannot place as text: in a group chat no one makes the bot post a link', async function () {
    const { test, started } = client({ registry: 'myregistry', symptoms: ['client-timeout'] });
    await converse(test, [['start', /Where does the failing client run\?/]]);
    const reply = (await test.sendActivity(HOSTILE)) as Partial<Activity>;
    assert.equal(reply.text, undefined, 'no plain message, which Teams reads as markdown');
    const card = reply.attachments?.[0]?.content as unknown;
    assertValidCard(card);
    assertShownAsText(card, 'retry');
    assert.match(textRuns(card).join(''), /could not tell where the client runs/);
    assert.deepEqual(markdownTexts(card), []);
    assert.deepEqual(started, []);
  });

  it('quotes a registry answer it refuses as text', async function () {
    const { test } = client();
    await converse(test, [['hi', /Which registry\?/]]);
    const reply = (await test.sendActivity('[x](https://evil.example)')) as Partial<Activity>;
    assert.equal(reply.text, undefined);
    assert.ok(textRuns(reply.attachments).some((run) => run.includes('[x](https://evil.example)')));
    assert.deepEqual(markdownTexts(reply.attachments), []);
  });

  it('the client choices are matched as typed: synonyms carry no bidi controls, and each title picks its own kind', function () {
    for (const lang of LANGS) {
      const choices = clientChoices(lang);
      for (const choice of choices) for (const synonym of choice.synonyms ?? []) assert.doesNotMatch(synonym, /[\u2066-\u2069\u200e\u200f]/, `${lang}: ${synonym}`);
      for (const kind of CLIENT_KINDS) {
        const typed = plain(t(lang, `dialog.clients.${kind}`));
        assert.equal(recognizeChoices(typed, choices, { locale: lang })[0]?.resolution.value, kind, `${lang}: "${typed}"`);
      }
    }
  });

  for (const kind of CLIENT_KINDS) {
    it(`Arabic: the client's choice title, typed or copied from its button, picks ${kind}`, async function () {
      const title = t('ar', `dialog.clients.${kind}`);
      for (const said of [plain(title).replace(/[\u200e\u200f]/g, ''), title]) {
        const { test, started } = client({ registry: 'myregistry', symptoms: ['client-timeout'] });
        await test.sendActivity({ type: 'message', text: 'start', locale: 'ar-SA' });
        await test.sendActivity({ type: 'message', text: said, locale: 'ar-SA' });
        assert.deepEqual(started, [{ registry: 'myregistry.azurecr.io', symptoms: ['client-timeout'], client: kind }], JSON.stringify(said));
      }
    });
  }

  it('re-asks the symptom when an answer matches nothing', async function () {
    const { test } = client({ registry: 'myregistry' });
    await converse(test, [
      ['start', /What do you see\?/],
      ['the weather is nice', /could not match that to a known symptom/],
    ]);
  });

  it('help and cancel work at any step', async function () {
    const { test, started } = client();
    await converse(test, [
      ['hi', /Which registry\?/],
      ['help', /application\/vnd\.microsoft\.card\.adaptive/],
    ]);
    assert.match((test.getNextReply() as Partial<Activity>).text ?? '', /Which registry\?/, 'the question comes back after help');
    await converse(test, [['cancel', /Cancelled/]]);
    assert.equal(test.dialogTurnResult.status, 'complete');
    assert.deepEqual(started, []);
  });

  it('asks in the conversation language', async function () {
    const { test } = client();
    await converse(test, [[{ type: 'message', text: 'привет', locale: 'ru-RU' }, /Какой реестр\?/]]);
    const ar = client().test;
    await converse(ar, [[{ type: 'message', text: 'مرحبا', locale: 'ar-SA' }, /أي سجل؟/]]);
  });

  describe('the AKS cluster', function () {
    const SUB = '0b1f6471-1bf0-4dda-aec3-111122223333';
    const id = (group: string, name: string): string => `/subscriptions/${SUB}/resourceGroups/${group}/providers/Microsoft.ContainerService/managedClusters/${name}`;
    const CLUSTERS = [
      { id: id('rg-aks', 'aks_prod_1'), name: 'aks_prod_1' },
      { id: id('rg-aks', 'aks-lab'), name: 'aks-lab' },
    ];
    /** A lister that records which registries it was asked about. */
    const lister = (clusters = CLUSTERS): { list: ClusterLister; asked: string[] } => {
      const asked: string[] = [];
      return { asked, list: async (_context, target) => (asked.push(target.loginServer), clusters) };
    };
    const aksAsked = { registry: 'myregistry', symptoms: ['azure-service-cannot-pull'], client: 'aks' as const };

    it('asks which cluster when the client is AKS, with the asker\'s clusters as buttons; a button runs with that cluster', async function () {
      const { list, asked } = lister();
      const { test, started } = client(aksAsked, list);
      const reply = (await test.sendActivity('start')) as Partial<Activity>;
      assert.deepEqual(asked, ['myregistry.azurecr.io']);
      const hero = reply.attachments?.[0]?.content as { text?: string; buttons?: { title: string; value: string }[] };
      assert.match(hero.text ?? '', /Which AKS cluster\?/);
      assert.deepEqual(hero.buttons?.map((b) => b.title), ['aks_prod_1 (rg-aks)', 'aks-lab (rg-aks)'], 'names as button titles: plain text, never markdown');
      await test.sendActivity(hero.buttons![1]!.value);
      assert.deepEqual(started, [{ ...aksAsked, registry: 'myregistry.azurecr.io', aksCluster: id('rg-aks', 'aks-lab') }]);
    });

    for (const [said, expected] of [
      ['rg-other/aks-typed', 'rg-other/aks-typed'],
      [id('rg-x', 'other'), id('rg-x', 'other')],
      ['aks-lab', id('rg-aks', 'aks-lab')],
      ['rg-aks/aks_prod_1', id('rg-aks', 'aks_prod_1')],
    ] as const) {
      it(`takes a cluster typed as "${said.slice(0, 40)}"`, async function () {
        const { test, started } = client(aksAsked, lister().list);
        await test.sendActivity('start');
        await test.sendActivity(said);
        assert.equal(started[0]?.aksCluster, expected);
      });
    }

    it('an offered cluster of another subscription, typed as resourceGroup/name, is that cluster (not one in the registry\'s subscription)', async function () {
      const other = { id: `/subscriptions/5e1f0000-aaaa-4bbb-8ccc-444455556666/resourceGroups/rg-net/providers/Microsoft.ContainerService/managedClusters/aks-far`, name: 'aks-far' };
      const { test, started } = client(aksAsked, lister([other]).list);
      await test.sendActivity('start');
      await test.sendActivity('rg-net/aks-far');
      assert.equal(started[0]?.aksCluster, other.id);
    });

    it('where the clusters may not be shown (one person\'s rights in a shared conversation), it asks for one by name, with no buttons', async function () {
      const { test, started } = client(aksAsked, async () => 'typed');
      const reply = (await test.sendActivity('start')) as Partial<Activity>;
      assert.match(reply.text ?? '', /Type its resource group and name/);
      assert.deepEqual(reply.attachments ?? [], [], 'no cluster named');
      await test.sendActivity('rg-aks/aks-lab');
      assert.equal(started[0]?.aksCluster, 'rg-aks/aks-lab');
    });

    it('"skip" runs without the cluster\'s side', async function () {
      const { test, started } = client(aksAsked, lister().list);
      await test.sendActivity('start');
      await test.sendActivity('skip');
      assert.deepEqual(started, [{ ...aksAsked, registry: 'myregistry.azurecr.io' }]);
    });

    it('re-asks an answer that is no cluster, quoting it as text', async function () {
      const { test, started } = client(aksAsked, lister().list);
      await test.sendActivity('start');
      const reply = (await test.sendActivity(HOSTILE)) as Partial<Activity>;
      assert.equal(reply.text, undefined, 'no plain message, which Teams reads as markdown');
      const card = reply.attachments?.[0]?.content as unknown;
      assertValidCard(card);
      assertShownAsText(card, 'retry');
      assert.match(textRuns(card).join(''), /is not an AKS cluster/);
      assert.equal(started.length, 0);
      await test.sendActivity('rg-x/aks-other');
      assert.equal((started as Started[])[0]?.aksCluster, 'rg-x/aks-other', 'the question is still open');
    });

    it('is not asked when the asker may read no cluster, nor when the client is not AKS', async function () {
      const none = lister([]);
      const { test, started } = client(aksAsked, none.list);
      await test.sendActivity('start');
      assert.deepEqual(started, [{ ...aksAsked, registry: 'myregistry.azurecr.io' }]);
      const other = lister();
      const vm = client({ ...aksAsked, client: 'vm' }, other.list);
      await vm.test.sendActivity('start');
      assert.deepEqual(other.asked, [], 'no clusters read for a VM');
      assert.equal(vm.started[0]?.client, 'vm');
    });

    it('a cluster named already (free text, /acr-check) is not asked again', async function () {
      const { list, asked } = lister();
      const { test, started } = client({ ...aksAsked, aksCluster: 'rg-aks/aks-lab' }, list);
      await test.sendActivity('start');
      assert.deepEqual(asked, []);
      assert.equal(started[0]?.aksCluster, 'rg-aks/aks-lab');
    });

    it(`offers at most ${MAX_CLUSTER_CHOICES} buttons and says how many more may be typed, in Russian and Arabic too`, async function () {
      const many = Array.from({ length: MAX_CLUSTER_CHOICES + 3 }, (_, i) => ({ id: id('rg-aks', `aks-${i}`), name: `aks-${i}` }));
      for (const locale of ['en-US', 'ru-RU', 'ar-SA']) {
        const { test } = client(aksAsked, lister(many).list);
        const reply = (await test.sendActivity({ type: 'message', text: 'start', locale })) as Partial<Activity>;
        const hero = reply.attachments?.[0]?.content as { text?: string; buttons?: unknown[] };
        assert.equal(hero.buttons?.length, MAX_CLUSTER_CHOICES, locale);
        assert.match(hero.text ?? '', /3/, `${locale}: ${hero.text}`);
        assert.doesNotMatch(hero.text ?? '', /\{\w+\}/, locale);
      }
    });
  });
});
