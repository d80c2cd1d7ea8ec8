/** Addresses the lab puts on `lo` inside its namespace. They look real; they never leave the namespace. */
export const LAB_ADDRESSES = {
  registry: '20.45.122.144',
  dataEndpoint: '20.45.122.145',
  wrongCertificate: '20.45.122.150',
  blackHole: '20.45.122.160',
  refusing: '20.45.122.170',
  /** Completes TLS for the registry's name, then never answers the HTTP request. */
  stalled: '20.45.122.175',
  stale: '20.1.2.3',
  entra: '20.190.160.20',
  arm: '20.190.161.10',
  logAnalytics: '20.190.162.10',
  /** The Bot Framework token service (token.botframework.com's role); nothing listens unless a test starts it. */
  tokenService: '20.190.163.10',
  /** The instance metadata service; nothing listens there unless a test starts it. */
  imds: '169.254.169.254',
  dns: '10.53.0.53',
  deadDns: '10.53.0.99',
  /** On `lo` with nothing on port 53: the kernel answers ICMP port unreachable (UDP) and RST (TCP). */
  refusingDns: '10.53.0.54',
  squid: '10.3.128.1',
  eofProxy: '10.3.128.2',
  interceptingProxy: '10.3.128.3',
  /** Squid asking for Basic credentials (407). */
  authSquid: '10.3.128.4',
  /** Private endpoint addresses that answer (their NIC exists): a data endpoint, a login server. */
  privateDataEndpoint: '10.0.1.5',
  privateLoginServer: '10.0.2.4',
} as const;

/**
 * Routed into the lab's discard device (an unopened tun): every SYN is dropped without an answer,
 * as Azure drops packets to a private address with no NIC behind it, or a firewall drops them.
 */
export const DROPPED_ADDRESSES = {
  registry: '20.45.122.180',
  /** A private zone record left behind after the private endpoint was re-created. */
  staleLoginServer: '10.0.1.4',
  staleDataEndpoint: '10.0.2.5',
} as const;

/** Routed nowhere inside the namespace: a private endpoint seen from outside its VNet. */
export const UNROUTED_PRIVATE_ENDPOINT = '10.0.0.7';

/** The address ACR's front reports as the client's in DENIED bodies (what a NAT gateway would show). */
export const CLIENT_EGRESS_IP = '203.0.113.77';
