// The OpenID provider of the test suite: node `oidc-provider`, on loopback.
//
//   node provider.mjs CONFIG.json
//
// CONFIG.json:
//   { "port": 0,                       // 0: any free port; the chosen one is printed
//     "registry": { "resource": "https://registry.test/", "scopes": ["scope-registry:catalog:read", ...] },
//     "api": { "resource": "https://api.test/", "catalog": "/path/catalog.json" },
//     "clients": [ { "client_id": "...", "client_secret": "...", "groups": ["..."],
//                    "scope": "space separated allow-list (optional)" },
//                  // a web client signing people in (authorization code, PKCE required):
//                  { "client_id": "...", "client_secret": "...", "redirect_uris": ["..."],
//                    "post_logout_redirect_uris": ["..."] } ],
//     "users": { "alice": { "name": "Alice Shop", "groups": ["team-shop"] } },  // optional
//     "access_token_ttl": 600 }          // seconds, optional
//
// Two roles at once, as in a real deployment:
// - the registry's token issuer: client-credentials JWT access tokens (RFC 9068, typ at+jwt) for
//   the resource `registry.resource`, carrying a `groups` claim per client;
// - an authorization server for an API whose scopes come from the registry's catalog: the file
//   `api.catalog` (canonical format, as `scope-registry pull` writes it) is read at start and on
//   SIGHUP (`scope-registry pull --exec 'kill -HUP PID'`). Active and deprecated scopes may be
//   granted; retired scopes are known but allowed to no client, so asking for one is
//   `invalid_scope`; scopes the catalog does not hold are never granted.
//
// People sign in with the built-in development login form (`devInteractions`: any login, any
// password, then a consent page). Their ID tokens carry `name`; their access tokens for the
// registry carry their `groups` (a login not in `users` has its login as name and no groups).
// Web clients always get a refresh token.
//
// Prints `listening on http://127.0.0.1:PORT` once ready, and `catalog loaded: version N, M
// grantable` after each (re)load.
import { readFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

// One signing key for the process: tokens stay valid across catalog reloads.
const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const jwks = { keys: [{ ...jwk, kid: 'test-provider-1', use: 'sig', alg: 'RS256' }] };

function loadCatalog() {
  const file = config.api?.catalog;
  if (!file || !existsSync(file)) return { version: 0, known: [], grantable: [] };
  const catalog = JSON.parse(readFileSync(file, 'utf8'));
  const known = catalog.scopes.map((s) => s.name);
  const grantable = catalog.scopes.filter((s) => s.status !== 'retired').map((s) => s.name);
  return { version: catalog.version, known, grantable };
}

function build(catalog) {
  const registryScopes = config.registry.scopes;
  const groups = new Map(config.clients.map((c) => [c.client_id, c.groups ?? []]));
  const users = config.users ?? {};
  const clients = config.clients.map((c) => (c.redirect_uris ? {
    client_id: c.client_id,
    client_secret: c.client_secret,
    grant_types: ['authorization_code', 'refresh_token'],
    redirect_uris: c.redirect_uris,
    post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: ['openid', 'profile', 'offline_access', ...registryScopes].join(' '),
  } : {
    client_id: c.client_id,
    client_secret: c.client_secret,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: c.scope ?? [...registryScopes, ...catalog.grantable].join(' '),
  }));
  const resources = new Map([
    [config.registry.resource, registryScopes],
    ...(config.api ? [[config.api.resource, catalog.grantable]] : []),
  ]);
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients,
    jwks,
    scopes: [...new Set(['openid', 'profile', 'offline_access', ...registryScopes, ...catalog.known])],
    claims: { openid: ['sub'], profile: ['name'] },
    findAccount: (ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, name: users[id]?.name ?? id }),
    }),
    pkce: { required: () => true },
    issueRefreshToken: (ctx, client) => client.grantTypeAllowed('refresh_token'),
    features: {
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => config.registry.resource,
        getResourceServerInfo: (ctx, resource) => {
          const scopes = resources.get(resource);
          if (!scopes) throw new errors.InvalidTarget();
          return {
            scope: scopes.join(' '),
            audience: resource,
            accessTokenFormat: 'jwt',
            accessTokenTTL: config.access_token_ttl ?? 600,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    extraTokenClaims: (ctx, token) => ({
      groups: token.accountId
        ? users[token.accountId]?.groups ?? []
        : groups.get(token.clientId) ?? [],
    }),
  });
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  return provider;
}

const errors = Provider.errors;
let port = config.port;
let callback = null;
const server = http.createServer((req, res) => callback(req, res));

function reload() {
  try {
    const catalog = loadCatalog();
    callback = build(catalog).callback();
    console.log(`catalog loaded: version ${catalog.version}, ${catalog.grantable.length} grantable, ${catalog.known.length - catalog.grantable.length} retired`);
  } catch (e) {
    // Keep the previous configuration: a bad file must not take the provider down.
    console.error(`catalog reload failed, keeping the previous one: ${e.message}`);
  }
}

server.listen(config.port, '127.0.0.1', () => {
  port = server.address().port;
  reload();
  process.on('SIGHUP', reload);
  console.log(`listening on http://127.0.0.1:${port}`);
});
