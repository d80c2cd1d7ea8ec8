import { NODE_IMAGE } from '../../src/handover/run-commands.js';
import type { CliDownload } from '../../src/handover/run-commands.js';

/** A bot at its public address, serving an acr-check file with this SHA-256, and the default pod image. */
export const SAMPLE_DOWNLOAD: CliDownload = { botUrl: 'https://bot.contoso.com', sha256: '4f2a0c9e3b1d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f', image: NODE_IMAGE };
