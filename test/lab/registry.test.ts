/** The lab's registry is a real one: an image pushed to it can be pulled back through the ACR front. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { LAB_USER } from './acr-front.js';
import { LAB_ADDRESSES } from './addresses.js';
import { assertIsolated } from './isolation.js';
import { startLabWorld, type LabWorld } from './world.js';

const HOST = 'healthyreg.azurecr.io';
const digest = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

describe('lab: the registry behind the ACR front is real', function () {
  let lab: LabWorld;
  let agent: Agent;
  before(async function () {
    assertIsolated();
    lab = await startLabWorld();
    // Dial the front's address directly, with the login server as TLS name and Host.
    agent = new Agent({ connect: { ca: readFileSync(lab.pki.caPath), lookup: (_h, _o, cb) => cb(null, [{ address: LAB_ADDRESSES.registry, family: 4 }]) } });
  });
  after(async () => {
    await agent?.close();
    await lab?.stop();
  });

  async function token(scope: string): Promise<string> {
    const basic = Buffer.from(`${LAB_USER.name}:${LAB_USER.password}`).toString('base64');
    const res = await request(`https://${HOST}/oauth2/token?service=${HOST}&scope=${encodeURIComponent(scope)}`, { dispatcher: agent, headers: { authorization: `Basic ${basic}` } });
    assert.equal(res.statusCode, 200);
    return ((await res.body.json()) as { access_token: string }).access_token;
  }

  it('answers /v2/ with a Bearer challenge, and a tiny image pushes and pulls with a token', async function () {
    const challenge = await request(`https://${HOST}/v2/`, { dispatcher: agent });
    await challenge.body.dump();
    assert.equal(challenge.statusCode, 401);
    assert.equal(challenge.headers['www-authenticate'], `Bearer realm="https://${HOST}/oauth2/token",service="${HOST}"`);

    const push = { authorization: `Bearer ${await token('repository:lab/hello:pull,push')}` };
    const layer = Buffer.from('hello from the acr-doctor lab\n');
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digest(layer)] } }));
    for (const blob of [layer, config]) {
      const start = await request(`https://${HOST}/v2/lab/hello/blobs/uploads/`, { method: 'POST', dispatcher: agent, headers: push });
      await start.body.dump();
      assert.equal(start.statusCode, 202);
      const location = new URL(String(start.headers.location), `https://${HOST}`);
      location.searchParams.set('digest', digest(blob));
      const put = await request(location, { method: 'PUT', dispatcher: agent, headers: { ...push, 'content-type': 'application/octet-stream' }, body: blob });
      await put.body.dump();
      assert.equal(put.statusCode, 201);
    }
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digest(layer), size: layer.length }],
      }),
    );
    const putManifest = await request(`https://${HOST}/v2/lab/hello/manifests/v1`, {
      method: 'PUT',
      dispatcher: agent,
      headers: { ...push, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      body: manifest,
    });
    await putManifest.body.dump();
    assert.equal(putManifest.statusCode, 201);

    const pull = { authorization: `Bearer ${await token('repository:lab/hello:pull')}`, accept: 'application/vnd.oci.image.manifest.v1+json' };
    const got = await request(`https://${HOST}/v2/lab/hello/manifests/v1`, { dispatcher: agent, headers: pull });
    assert.equal(got.statusCode, 200);
    assert.equal(digest(Buffer.from(await got.body.arrayBuffer())), digest(manifest));
    const blob = await request(`https://${HOST}/v2/lab/hello/blobs/${digest(layer)}`, { dispatcher: agent, headers: pull });
    assert.equal(Buffer.from(await blob.body.arrayBuffer()).toString(), layer.toString());

    const anonymous = await request(`https://${HOST}/v2/lab/hello/manifests/v1`, { dispatcher: agent });
    await anonymous.body.dump();
    assert.equal(anonymous.statusCode, 401, 'without a token the real registry refuses');
  });
});
