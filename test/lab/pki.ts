/** The lab's certificates, made with openssl: a trusted lab CA, and an untrusted "inspection" CA. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface KeyPair {
  key: string;
  cert: string;
  certPath: string;
  keyPath: string;
}

export interface LabPki {
  dir: string;
  caPath: string;
  registry: KeyPair;
  wrongName: KeyPair;
  intercepted: KeyPair;
  tokenSigner: KeyPair;
  entra: KeyPair;
  arm: KeyPair;
  logAnalytics: KeyPair;
  /** The Bot Framework token service (the bot's OAuth API endpoint). */
  tokenService: KeyPair;
  /** Azurite over https (OAuth needs it), at localhost. */
  storage: KeyPair;
  /** The Bot Framework's channel side (fake-channel.ts): its OpenID metadata host and Teams' connector. */
  botFramework: KeyPair;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string, cn: string): void {
  openssl(dir, [
    'req', '-x509', ...EC, '-days', '30', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.crt`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

function makeLeaf(dir: string, ca: string, name: string, cn: string, names: string[], usage = 'serverAuth'): KeyPair {
  openssl(dir, ['req', '-new', ...EC, '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  const ext = [`basicConstraints=CA:FALSE`, `extendedKeyUsage=${usage}`];
  if (names.length > 0) ext.push(`subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`);
  writeFileSync(path.join(dir, `${name}.ext`), `${ext.join('\n')}\n`);
  openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-days', '30', '-out', `${name}.crt`, '-extfile', `${name}.ext`,
  ]);
  const keyPath = path.join(dir, `${name}.key`);
  const certPath = path.join(dir, `${name}.crt`);
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), keyPath, certPath };
}

export function createLabPki(): LabPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'acr-lab-pki-'));
  makeCa(dir, 'lab-ca', 'acr-doctor Lab Root CA');
  makeCa(dir, 'inspect-ca', 'Contoso TLS Inspection CA');
  return {
    dir,
    caPath: path.join(dir, 'lab-ca.crt'),
    registry: makeLeaf(dir, 'lab-ca', 'registry', '*.azurecr.io', ['*.azurecr.io', 'azurecr.io', '*.westeurope.data.azurecr.io', '*.eastus.data.azurecr.io']),
    wrongName: makeLeaf(dir, 'lab-ca', 'wrong-name', 'gateway.contoso-firewall.example', ['gateway.contoso-firewall.example']),
    intercepted: makeLeaf(dir, 'inspect-ca', 'intercepted', '*.azurecr.io', ['*.azurecr.io', 'azurecr.io']),
    tokenSigner: makeLeaf(dir, 'lab-ca', 'token-signer', 'acr-lab-token-signer', [], 'codeSigning'),
    entra: makeLeaf(dir, 'lab-ca', 'entra', 'login.lab.example', ['login.lab.example']),
    arm: makeLeaf(dir, 'lab-ca', 'arm', 'management.lab.example', ['management.lab.example']),
    logAnalytics: makeLeaf(dir, 'lab-ca', 'log-analytics', 'api.loganalytics.lab.example', ['api.loganalytics.lab.example']),
    tokenService: makeLeaf(dir, 'lab-ca', 'token-service', 'token.lab.example', ['token.lab.example']),
    storage: makeLeaf(dir, 'lab-ca', 'storage', 'localhost', ['localhost']),
    botFramework: makeLeaf(dir, 'lab-ca', 'bot-framework', 'login.botframework.lab.example', ['login.botframework.lab.example', 'smba.lab.example']),
  };
}
