/** Which Azure cloud a registry lives in, and where its ARM and Entra endpoints are. */
export interface AzureCloud {
  name: 'AzureCloud' | 'AzureChinaCloud' | 'AzureUSGovernment' | 'Custom';
  armEndpoint: string;
  authorityHost: string;
}

const CLOUDS: Record<string, AzureCloud> = {
  'azurecr.io': { name: 'AzureCloud', armEndpoint: 'https://management.azure.com', authorityHost: 'https://login.microsoftonline.com' },
  'azurecr.cn': { name: 'AzureChinaCloud', armEndpoint: 'https://management.chinacloudapi.cn', authorityHost: 'https://login.chinacloudapi.cn' },
  'azurecr.us': { name: 'AzureUSGovernment', armEndpoint: 'https://management.usgovcloudapi.net', authorityHost: 'https://login.microsoftonline.us' },
};

const KNOWN_AUTHORITIES = new Set(Object.values(CLOUDS).map((c) => new URL(c.authorityHost).host));

/** The cloud from the login server's suffix; ARM_ENDPOINT and AZURE_AUTHORITY_HOST override it. */
export function cloudFor(suffix: string, env: NodeJS.ProcessEnv): AzureCloud {
  const base = CLOUDS[suffix] ?? CLOUDS['azurecr.io']!;
  const armEndpoint = env.ARM_ENDPOINT?.replace(/\/+$/, '') || base.armEndpoint;
  const authorityHost = env.AZURE_AUTHORITY_HOST?.replace(/\/+$/, '') || base.authorityHost;
  const custom = armEndpoint !== base.armEndpoint || authorityHost !== base.authorityHost;
  return { name: custom ? 'Custom' : base.name, armEndpoint, authorityHost };
}

/**
 * MSAL asks the public cloud's instance-discovery endpoint about any authority it does not know;
 * for a private cloud (Azure Stack Hub, ADFS) that fails. Known clouds keep discovery on.
 */
export function isKnownAuthority(authorityHost: string): boolean {
  return KNOWN_AUTHORITIES.has(new URL(authorityHost).host);
}
