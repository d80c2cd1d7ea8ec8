/**
 * The commands a card gives for the failing machine: download acr-check from the bot itself (one
 * self-contained file), check its SHA-256, run it with Node.js. Nothing comes from npm: the name
 * `acr-check` there is not ours, and the failing machine often cannot reach npm anyway.
 * For bash, for PowerShell, and as a pod in AKS, where the image has Node.js but maybe no curl:
 * there node downloads and checks the file itself.
 */
import { botBase, CLI_FILE_NAME, CLI_PATH } from './protocol.js';
import { aksContextName } from '../engine/target/aks-cluster.js';

/** The image the AKS pod runs acr-check in: Node.js from MCR, which AKS clusters can pull. */
export const NODE_IMAGE = 'mcr.microsoft.com/azurelinux/base/nodejs:20';

/** What the bot hands out: where failing machines reach it, the file's SHA-256, the pod's image. */
export interface CliDownload {
  /** The bot's public address; empty when it does not know one. */
  botUrl: string;
  /** Of the file the bot serves; absent when it serves none. */
  sha256?: string;
  image: string;
}

export type Shell = 'bash' | 'powershell' | 'aks';
export interface RunCommand {
  shell: Shell;
  command: string;
}

/** Why a card has no commands to give. */
export type NoCommands = 'no-address' | 'no-file';

/** A URL that stays one word in bash, PowerShell and a JavaScript template literal, unquoted. */
const PLAIN_URL = /^https?:\/\/[A-Za-z0-9.:[\]-]+(\/[A-Za-z0-9._~%/-]*)?$/;
const SHA256 = /^[0-9a-f]{64}$/;
/** An image reference (registry/repository:tag or @digest): nothing a shell reads. */
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9./:@_-]*$/;
/** Words no shell here reads anything into: left unquoted. */
const PLAIN_WORD = /^[A-Za-z0-9._:/=%+-]+$/;

/** One word for bash (and sh): as it is when plain, else single-quoted. */
export function shWord(value: string): string {
  return PLAIN_WORD.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** One word for PowerShell: as it is when plain, else single-quoted (a quote doubled). */
export function psWord(value: string): string {
  return PLAIN_WORD.test(value) ? value : `'${value.replace(/'/g, "''")}'`;
}

/** The file's address on the bot. */
export function cliUrl(botUrl: string): string {
  return `${botBase(new URL(botUrl))}${CLI_PATH}`;
}

/**
 * The pod's script, for `node -e`: no quote of either kind (it sits in single quotes in bash and
 * in PowerShell, which passes no double quote to kubectl intact), so strings are template literals,
 * joined with + (a card must not show anything that reads as a placeholder).
 * It runs the checked file in a fresh process: the CLI's time budget counts from its own start.
 */
export function podScript(url: string, sha256: string): string {
  return [
    `const u=\`${url}\`,h=\`${sha256}\`,f=require(\`path\`).join(require(\`os\`).tmpdir(),\`${CLI_FILE_NAME}\`);`,
    'fetch(u).then(r=>r.ok?r.arrayBuffer():Promise.reject(Error(u+`: HTTP `+r.status))).then(a=>{',
    'const b=Buffer.from(a),s=require(`crypto`).createHash(`sha256`).update(b).digest(`hex`);',
    'if(s!==h)throw Error(u+`: SHA-256 `+s+`, expected `+h+`; not run`);',
    'require(`fs`).writeFileSync(f,b);',
    'process.exitCode=require(`child_process`).spawnSync(process.execPath,[f,...process.argv.slice(1)],{stdio:`inherit`}).status??3',
    '}).catch(e=>{console.error(e.message);process.exitCode=3})',
  ].join('');
}

/** The AKS cluster the pod runs in, when the diagnosis read it. */
export interface PodCluster {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/**
 * The three commands, `args` (registry first, then options) filled in. `pod` names the AKS pod
 * (a DNS label); with `cluster`, the pod runs in that cluster: its credentials are fetched from its
 * subscription into a context named after it (aksContextName), and kubectl is pointed at that
 * context, never at whatever context is current or another cluster's of the same name.
 * Undefined commands come with the reason: no address to give, or no file to serve.
 */
export function runCommands(download: CliDownload, args: string[], pod: string, cluster?: PodCluster): { commands: RunCommand[] } | { none: NoCommands } {
  if (!PLAIN_URL.test(download.botUrl)) return { none: 'no-address' };
  if (!download.sha256 || !SHA256.test(download.sha256)) return { none: 'no-file' };
  const url = cliUrl(download.botUrl);
  const sha = download.sha256;
  const image = IMAGE.test(download.image) ? download.image : shWord(download.image);
  const sh = args.map(shWord).join(' ');
  return {
    commands: [
      { shell: 'bash', command: `curl -fsSLo ${CLI_FILE_NAME} ${shWord(url)} && echo "${sha}  ${CLI_FILE_NAME}" | sha256sum -c - && node ${CLI_FILE_NAME} ${sh}` },
      {
        shell: 'powershell',
        command:
          `$ProgressPreference = 'SilentlyContinue'; Invoke-WebRequest -UseBasicParsing -Uri ${psWord(url)} -OutFile ${CLI_FILE_NAME}; ` +
          `if ((Get-FileHash -Algorithm SHA256 ${CLI_FILE_NAME}).Hash -eq '${sha}') { node ${CLI_FILE_NAME} ${args.map(psWord).join(' ')} } ` +
          `else { Write-Error '${CLI_FILE_NAME}: SHA-256 does not match; not run' }`,
      },
      // `'--'`, quoted: PowerShell 7 drops a bare -- before a native command's arguments, and kubectl would then read node's -e.
      { shell: 'aks', command: `${inCluster(cluster)}kubectl ${cluster ? `--context ${contextOf(cluster)} ` : ''}run ${pod} --rm -i --restart=Never --image=${image} --command '--' node -e '${podScript(url, sha)}' ${sh}` },
    ],
  };
}

/**
 * The cluster's credentials first: `;` rather than `&&`, which Windows PowerShell 5.1 does not know;
 * if they cannot be fetched, kubectl finds no context of that name and runs nothing anywhere else.
 */
function inCluster(cluster: PodCluster | undefined): string {
  if (!cluster) return '';
  return `az aks get-credentials --subscription ${cluster.subscriptionId} --resource-group ${shWord(cluster.resourceGroup)} --name ${cluster.name} --context ${contextOf(cluster)} --overwrite-existing; `;
}

const contextOf = (cluster: PodCluster): string => aksContextName(cluster.subscriptionId, cluster.resourceGroup, cluster.name);

/** A pod name from any text: lowercase letters, digits and dashes, at most 63. */
export function podName(suffix: string): string {
  return `acr-check-${suffix.toLowerCase().replace(/[^a-z0-9]+/g, '')}`.slice(0, 63).replace(/-+$/, '');
}
