// The clients of the oidc-provider peer (bench/oidc-provider-server.js), shared with the runner.
// Fixed secrets are fine: the peer lives only on 127.0.0.1 for the length of one bench run.
// `dpop` is bound to DPoP (dpop_bound_access_tokens); `pkjwt` authenticates with private_key_jwt
// and gets its public JWK Set from the runner (PEER_PKJWT_JWKS), which holds the private key.
export const PEER_CLIENTS = {
  es256: { id: 'bench-es256', secret: 'bench-es256-secret-0123456789abcdef0123456789abcdef', resource: 'urn:bench:es256' },
  rs256: { id: 'bench-rs256', secret: 'bench-rs256-secret-0123456789abcdef0123456789abcdef', resource: 'urn:bench:rs256' },
  dpop: { id: 'bench-dpop', secret: 'bench-dpop-secret-0123456789abcdef0123456789abcdef', resource: 'urn:bench:es256' },
  pkjwt: { id: 'bench-pkjwt', resource: 'urn:bench:es256' },
};
