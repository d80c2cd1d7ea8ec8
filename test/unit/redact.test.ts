import assert from 'node:assert/strict';
import { redactSecrets } from '../../src/escalation/redact.js';

describe('secrets are redacted from tickets', function () {
  const secrets: [what: string, text: string, secret: string][] = [
    ['an Entra access token', 'token: eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQifQ.sig-nature_x', 'eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQifQ'],
    ['a bearer header', 'Authorization: Bearer abcDEF123456ghiJKL', 'abcDEF123456ghiJKL'],
    ['basic auth', 'Authorization: Basic YWxpY2U6aHVudGVyMg==', 'YWxpY2U6aHVudGVyMg=='],
    ['a proxy URL with a password', 'HTTPS_PROXY=http://alice:hunter2@10.0.0.5:3128', 'hunter2'],
    ['a storage connection string', 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFyYmF6==;EndpointSuffix=core.windows.net', 'Zm9vYmFyYmF6'],
    ['a service bus key', 'Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=abc123secret=', 'abc123secret'],
    ['a SAS URL', 'https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=AbC%2Bdef%3D&se=2026', 'AbC%2Bdef%3D'],
    ['an OAuth form', 'grant_type=refresh_token&refresh_token=0.ARsecret&service=r.azurecr.io', '0.ARsecret'],
    ['a JSON password', '{"username":"admin","password":"P@ssw0rd!"}', 'P@ssw0rd!'],
    ['a docker config auth', '{"auths":{"r.azurecr.io":{"auth":"YWRtaW46c2VjcmV0"}}}', 'YWRtaW46c2VjcmV0'],
    ['a client secret in the environment', 'export AZURE_CLIENT_SECRET=abc.def~ghi', 'abc.def~ghi'],
  ];
  for (const [what, text, secret] of secrets) {
    it(what, function () {
      const out = redactSecrets(text);
      assert.ok(!out.includes(secret), `${out} still holds ${secret}`);
      assert.match(out, /\[REDACTED\]/);
    });
  }

  it('keeps what a support engineer needs: hosts, addresses, digests, error text', function () {
    const text = 'dial tcp 20.45.122.144:443: i/o timeout; GET https://myregistry.azurecr.io/v2/ 403 DENIED client IP 203.0.113.77; sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
    assert.equal(redactSecrets(text), text);
  });
});
