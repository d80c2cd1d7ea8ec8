import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDataEndpoint, parseRegistryTarget, TargetError } from '../../src/engine/target/registry-target.js';

const LOGIN_SERVER = /^[a-z0-9]{5,50}\.azurecr\.(io|cn|us)$/;
const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split(''));
const validName = fc.array(alnum, { minLength: 5, maxLength: 50 }).map((chars) => chars.join(''));

function rejects(input: string, key: string): void {
  assert.throws(() => parseRegistryTarget(input), (err: unknown) => err instanceof TargetError && err.key === key, `${JSON.stringify(input)} → ${key}`);
}

describe('registry argument', function () {
  it('accepts a name, a login server in each cloud, and a resource id', function () {
    assert.deepEqual(parseRegistryTarget('MyRegistry'), { name: 'myregistry', loginServer: 'myregistry.azurecr.io', suffix: 'azurecr.io' });
    assert.equal(parseRegistryTarget('myregistry.azurecr.cn').loginServer, 'myregistry.azurecr.cn');
    assert.equal(parseRegistryTarget('myregistry.azurecr.us').suffix, 'azurecr.us');
    assert.equal(parseRegistryTarget('  myregistry  ').name, 'myregistry');
    const id = '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-acr.prod(1)/providers/Microsoft.ContainerRegistry/registries/myRegistry';
    const target = parseRegistryTarget(id);
    assert.equal(target.loginServer, 'myregistry.azurecr.io');
    assert.equal(target.resourceGroup, 'rg-acr.prod(1)');
    assert.equal(target.subscriptionId, '00000000-1111-2222-3333-444444444444');
    assert.equal(target.resourceId, id);
  });

  it('rejects everything else with a reason', function () {
    rejects('', 'target.empty');
    rejects('https://myregistry.azurecr.io', 'target.url');
    rejects('20.45.122.144', 'target.notAcr');
    rejects('example.com', 'target.notAcr');
    rejects('myregistry.azurecr.io.evil.com', 'target.notAcr');
    rejects('evil.com/myregistry.azurecr.io', 'target.badName');
    rejects('my\u0000registry', 'target.badCharacters');
    rejects('my\nregistry', 'target.badCharacters');
    rejects('my registry', 'target.badCharacters');
    rejects('my-registry', 'target.badName');
    rejects('abcd', 'target.badName');
    rejects('a'.repeat(51), 'target.badName');
    rejects('x'.repeat(600), 'target.tooLong');
    rejects('myregistry.privatelink.azurecr.io', 'target.privatelink');
    rejects('myregistry.westeurope.data.azurecr.io', 'target.dataEndpoint');
    rejects('a.b.myregistry.azurecr.io', 'target.badName');
    rejects('/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/abcde', 'target.badResourceId');
  });

  it('property: a valid name in any case becomes its lower-case login server', function () {
    fc.assert(
      fc.property(validName, fc.constantFrom('', '.azurecr.io', '.azurecr.cn', '.azurecr.us'), (name, suffix) => {
        const target = parseRegistryTarget(name + suffix);
        assert.equal(target.name, name.toLowerCase());
        assert.equal(target.loginServer, `${name.toLowerCase()}${suffix || '.azurecr.io'}`);
      }),
    );
  });

  it('property: whatever the input, the result is an ACR login server or a TargetError, never another host', function () {
    const hostish = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.tuple(validName, fc.constantFrom('.azurecr.io', '.azurecr.io.evil.com', '.azurecr.io:443', '.azurecr.io/', '.Azurecr.IO', '..azurecr.io'), fc.string({ maxLength: 8 }))
        .map(([a, b, c]) => a + b + c),
      fc.webUrl(),
      fc.ipV4(),
      fc.ipV6(),
    );
    fc.assert(
      fc.property(hostish, (input) => {
        try {
          assert.match(parseRegistryTarget(input).loginServer, LOGIN_SERVER);
        } catch (err) {
          assert.ok(err instanceof TargetError, `unexpected ${String(err)} for ${JSON.stringify(input)}`);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("accepts only this registry's data endpoints", function () {
    const registry = parseRegistryTarget('myregistry');
    assert.equal(parseDataEndpoint('MyRegistry.WestEurope.data.azurecr.io', registry), 'myregistry.westeurope.data.azurecr.io');
    for (const bad of ['other.westeurope.data.azurecr.io', 'myregistry.westeurope.data.azurecr.io.evil.com', 'myregistry.data.azurecr.io', 'myregistry.a.b.data.azurecr.io', '10.0.0.5']) {
      assert.throws(() => parseDataEndpoint(bad, registry), TargetError, bad);
    }
  });
});
