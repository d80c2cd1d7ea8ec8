import assert from 'node:assert/strict';
import fc from 'fast-check';
import { understand } from '../../src/engine/knowledge/understand.js';

const TABLE: [said: string, registry: string | undefined, symptoms: string[], client?: string][] = [
  ["AKS can't pull from myregistry", 'myregistry.azurecr.io', ['azure-service-cannot-pull'], 'aks'],
  ['Error response from daemon: Get "https://myregistry.azurecr.io/v2/": dial tcp: lookup myregistry.azurecr.io on 168.63.129.16:53: no such host', 'myregistry.azurecr.io', ['dns-lookup-failed']],
  ['net/http: request canceled (Client.Timeout exceeded while awaiting headers) from contosoacr.azurecr.cn', 'contosoacr.azurecr.cn', ['client-timeout']],
  ['proxyconnect tcp: EOF when I push to registry teamregistry', 'teamregistry.azurecr.io', ['proxy-forbidden']],
  ['pods stuck in ImagePullBackOff', undefined, ['azure-service-cannot-pull'], 'aks'],
  ['Defender does not scan images in acr securereg', 'securereg.azurecr.io', ['defender-cannot-scan'], 'azure-service'],
  ['AKS не может извлечь образ из реестра myregistry', 'myregistry.azurecr.io', ['azure-service-cannot-pull'], 'aks'],
  ['لا يستطيع AKS السحب من myregistry', 'myregistry.azurecr.io', ['azure-service-cannot-pull'], 'aks'],
  ['Failed to save firewall and virtual network settings for container registry', undefined, ['network-settings-save-failed']],
  ['Error response from daemon: Get "https://contosoreg.azurecr.io/v2/": denied: client with IP \'1.2.3.4\' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.', 'contosoreg.azurecr.io', ['cli-cannot-connect']],
  ["denied: client with IP '203.0.113.7' is not allowed access", undefined, ['cli-cannot-connect']],
  ['{"errors":[{"code":"DENIED","message":"client with IP \\u0027203.0.113.7\\u0027 is not allowed access. Refer https://aka.ms/acr/firewall to grant access."}]}', undefined, ['cli-cannot-connect']],
  ["An error occurred: CONNECTIVITY_REFRESH_TOKEN_ERROR. Access to registry 'contosoreg.azurecr.io' was denied. Response code: 403. Please try running 'az login' again to refresh permissions.", 'contosoreg.azurecr.io', ['cli-cannot-connect']],
  ['hello', undefined, []],
];

describe('understanding free text', function () {
  for (const [said, registry, symptoms, client] of TABLE) {
    it(`"${said.slice(0, 60)}"`, function () {
      const u = understand(said);
      assert.equal(u.registry?.loginServer, registry);
      assert.deepEqual(u.symptoms, symptoms);
      assert.equal(u.client, client);
    });
  }

  it('names the reason when the word after "from" is not a registry', function () {
    assert.equal(understand('cannot pull from my-registry').rejected?.key, 'target.badName');
  });

  it('property: any text gives symptoms from the knowledge base and only ACR login servers', function () {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const u = understand(text);
        if (u.registry) assert.match(u.registry.loginServer, /^[a-z0-9]{5,50}\.azurecr\.(io|cn|us)$/);
      }),
      { numRuns: 1000 },
    );
  });
});
