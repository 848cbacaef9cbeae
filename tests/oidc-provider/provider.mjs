// A real OpenID provider (panva's oidc-provider) on loopback for Burrow's oidc browser tests.
// Options come as JSON in argv[2]: { port, clientId, clientSecret, redirectUris }.
// Any login/password signs in (the package's dev interactions); every account gets fixed claims.
// Prints one JSON line {"event":"listening","issuer":...} on stdout when ready.
import Provider from 'oidc-provider';

const options = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${options.port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: options.clientId,
    client_secret: options.clientSecret,
    redirect_uris: options.redirectUris,
    post_logout_redirect_uris: options.postLogoutRedirectUris ?? [],
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: `${id}@example.test`, email_verified: true, name: `Test User ${id}` };
      },
    };
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ['burrow-test-cookie-key'] },
  pkce: { required: () => true },
});

provider.on('server_error', (ctx, error) => console.error('server_error', error));

provider.listen(options.port, '127.0.0.1', () => {
  console.log(JSON.stringify({ event: 'listening', issuer }));
});
