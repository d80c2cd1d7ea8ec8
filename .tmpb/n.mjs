import { NetworkManagementClient } from '@azure/arm-network';
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { ResourceManagementClient } from '@azure/arm-resources';
const cred = { getToken: async () => ({ token: 'x', expiresOnTimestamp: Date.now() + 1e6 }) };
new NetworkManagementClient(cred, 'sub'); new PrivateDnsManagementClient(cred, 'sub'); new ContainerRegistryManagementClient(cred, 'sub'); new ResourceManagementClient(cred, 'sub');
console.log('ok');
