/**
 * `npm run package`: the Teams app package, a zip of manifest/manifest.json (the app and bot id
 * filled in from TEAMS_APP_ID / MicrosoftAppId) and its two icons, written to dist/acr-doctor-teams.zip.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { isGuid } from '../arm/resource-id.js';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import { TOOL } from '../version.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Manifest {
  id: string;
  version: string;
  icons: { color: string; outline: string };
  bots: { botId: string }[];
}

/** The manifest for this bot registration; a placeholder id is left for local sideloading tests. */
export function buildManifest(env: NodeJS.ProcessEnv = process.env): Manifest {
  const manifest = JSON.parse(readFileSync(path.join(root, 'manifest', 'manifest.json'), 'utf8')) as Manifest;
  const botId = env.MicrosoftAppId ?? manifest.bots[0]!.botId;
  const appId = env.TEAMS_APP_ID ?? botId;
  for (const [name, value] of [['MicrosoftAppId', botId], ['TEAMS_APP_ID', appId]] as const) {
    if (!isGuid(value)) throw new Error(`${name} must be a GUID, not ${JSON.stringify(value)}`);
  }
  return { ...manifest, id: appId, version: TOOL.version, bots: manifest.bots.map((b) => ({ ...b, botId })) };
}

export async function packageApp(out = path.join(root, 'dist', 'acr-doctor-teams.zip'), env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const manifest = buildManifest(env);
  await mkdir(path.dirname(out), { recursive: true });
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'manifest.json');
  for (const icon of [manifest.icons.color, manifest.icons.outline]) zip.addFile(path.join(root, 'manifest', icon), icon);
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(out)).on('close', resolve).on('error', reject);
  });
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  packageApp().then(
    (out) => process.stdout.write(`Teams app package: ${out}\n`),
    (err: unknown) => {
      process.stderr.write(`package: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
