/** Addresses the lab puts on `lo` inside its namespace. They look real; they never leave the namespace. */
export const LAB_ADDRESSES = {
  registry: '20.45.122.144',
  dataEndpoint: '20.45.122.145',
  wrongCertificate: '20.45.122.150',
  blackHole: '20.45.122.160',
  refusing: '20.45.122.170',
  stale: '20.1.2.3',
  entra: '20.190.160.20',
  arm: '20.190.161.10',
  logAnalytics: '20.190.162.10',
  /** The instance metadata service; nothing listens there unless a test starts it. */
  imds: '169.254.169.254',
  dns: '10.53.0.53',
  deadDns: '10.53.0.99',
  squid: '10.3.128.1',
  eofProxy: '10.3.128.2',
  interceptingProxy: '10.3.128.3',
} as const;

/** Routed nowhere inside the namespace: a private endpoint seen from outside its VNet. */
export const UNROUTED_PRIVATE_ENDPOINT = '10.0.0.7';

/** The address ACR's front reports as the client's in DENIED bodies (what a NAT gateway would show). */
export const CLIENT_EGRESS_IP = '203.0.113.77';
