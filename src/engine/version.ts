/** The tool's name and version, from package.json (bundled into the CLI at build time). */
import pkg from '../../package.json' with { type: 'json' };

export const TOOL = { name: pkg.name, version: pkg.version };
