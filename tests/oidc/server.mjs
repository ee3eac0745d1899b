// The OAuth 2.1 authorization server of the end-to-end tests (tests/src/oidc.rs): oidc-provider,
// on loopback, with dynamic client registration, authorization code with PKCE (its development
// login and consent pages, which the Python client's test driver fills in), refresh tokens,
// client credentials, introspection, and resource indicators (RFC 8707) that make access tokens
// ES256 JWTs whose audience is the resource asked for.
//
//   node server.mjs '{"port": 9000, "resource": "http://127.0.0.1:8000/mcp", "keys": [...], "accessTokenTtl": 60}'
//
// `keys` is a list of {kid, pem} (P-256 private keys); the first signs. Prints "listening <issuer>"
// once it serves.
import { createPrivateKey } from 'node:crypto';
import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(process.argv[2]);
const keys = config.keys.map(({ kid, pem }) => ({
  ...createPrivateKey(pem).export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig',
}));
const issuer = `http://127.0.0.1:${config.port}`;
const scopes = ['mcp:tools', 'admin'];

const provider = new Provider(issuer, {
  jwks: { keys },
  clients: [
    // Tokens for the tests' own requests (a given scope, another audience).
    { client_id: 'test-service', client_secret: 'test-service-secret-0123456789', grant_types: ['client_credentials'],
      redirect_uris: [], response_types: [], scope: scopes.join(' ') },
  ],
  scopes: ['openid', 'offline_access', ...scopes],
  // Its keys are P-256 only; clients that register without saying get ES256 ID tokens.
  clientDefaults: { grant_types: ['authorization_code'], id_token_signed_response_alg: 'ES256', response_types: ['code'] },
  features: {
    devInteractions: { enabled: true },
    registration: { enabled: true },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => config.resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (!indicator.startsWith('http://127.0.0.1:')) throw new errors.InvalidTarget();
        return {
          scope: scopes.join(' '),
          audience: indicator,
          accessTokenTTL: config.accessTokenTtl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },
  // Every client that may refresh gets a refresh token, without asking for offline_access.
  issueRefreshToken: (ctx, client) => client.grantTypeAllowed('refresh_token'),
  findAccount: (ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
  ttl: { AccessToken: config.accessTokenTtl, ClientCredentials: config.accessTokenTtl },
});
provider.listen(config.port, '127.0.0.1', () => console.log(`listening ${issuer}`));
