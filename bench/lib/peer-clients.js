// The clients of the oidc-provider peer (bench/oidc-provider-server.js), shared with the runner.
// Fixed secrets are fine: the peer lives only on 127.0.0.1 for the length of one bench run.
export const PEER_CLIENTS = {
  es256: { id: 'bench-es256', secret: 'bench-es256-secret-0123456789abcdef0123456789abcdef', resource: 'urn:bench:es256' },
  rs256: { id: 'bench-rs256', secret: 'bench-rs256-secret-0123456789abcdef0123456789abcdef', resource: 'urn:bench:rs256' },
};
