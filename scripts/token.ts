// `npm run token -- <url>`: prints a short-lived ES384 token for calling a local Vigil, signed by the
// development key (created under VIGIL_DATA_DIR on first use). A Vigil bound to loopback with no
// VIGIL_TRUSTED_ISSUERS trusts it; nothing else does. The aud is the exact URL you will call.
import { loadConfig } from '../src/config.js';
import { loadOrCreateDevIssuer } from '../src/auth/dev-issuer.js';
import { signCdsToken } from '../src/auth/jws.js';

const url = process.argv[2];
if (url === undefined || !/^https?:\/\//.test(url)) {
  process.stderr.write('usage: npm run token -- <the exact URL you will call, e.g. http://127.0.0.1:3000/cds-services>\n');
  process.exit(64); // EX_USAGE
}
const lifetime = Number(process.env.TOKEN_LIFETIME_SECONDS ?? '300');
const dev = loadOrCreateDevIssuer(loadConfig().VIGIL_DATA_DIR);
const token = signCdsToken({
  iss: dev.iss,
  kid: dev.kid,
  alg: 'ES384',
  aud: url,
  privateKey: dev.privateKey,
  nowSeconds: Math.floor(Date.now() / 1000),
  lifetimeSeconds: lifetime,
});
process.stdout.write(`${token}\n`);
