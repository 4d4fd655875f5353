import { describe, expect, it } from 'vitest';
import { authenticate, type AuthenticationRequest } from '../../../sandbox/engine/auth/basic-auth.ts';
import type { AuthnState } from '../../../sandbox/engine/routing/directory-state.ts';

const USERS = 'alice:$apr1$uGdf/Kvj$5h0Tu82NSbYaNuR63IFvY0\n# comment\n\ncarol:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n';
const ALL_MODULES = new Set(['mod_auth_basic.c', 'mod_authn_core.c', 'mod_authn_file.c', 'mod_authn_anon.c']);
const basic = (credentials: string) => `Basic ${btoa(credentials)}`;

function state(overrides: Partial<AuthnState> = {}): AuthnState {
  return { authType: 'Basic', authName: 'Members', basicProviders: null, basicAuthoritative: true, userFile: '/etc/users', anonymous: null, ...overrides };
}

function request(authorization: string | undefined, overrides: Partial<AuthenticationRequest> = {}): AuthenticationRequest {
  return { uri: '/ws/', authorization, modules: ALL_MODULES, readFile: (path) => (path === '/etc/users' ? USERS : null), ...overrides };
}

const codes = (result: ReturnType<typeof authenticate>) => result.log.map((line) => line.code);

describe('authenticate (check_user_id hooks)', () => {
  it.each([
    ['the right password', state(), basic('alice:wonderland'), { ok: true }, []],
    ['a SHA1 line', state(), basic('carol:secret'), { ok: true }, []],
    ['no Authorization header', state(), undefined, { ok: false, status: 401, challenge: true }, []],
    ['a wrong password', state(), basic('alice:nope'), { ok: false, status: 401, challenge: true }, ['AH01617']],
    ['an unknown user', state(), basic('nobody:x'), { ok: false, status: 401, challenge: true }, ['AH01618']],
    ['another scheme', state(), 'Bearer abc', { ok: false, status: 401, challenge: true }, ['AH01614']],
    ['no AuthName', state({ authName: null }), undefined, { ok: false, status: 500, challenge: false }, ['AH01615']],
    ['a missing AuthUserFile', state({ userFile: '/missing' }), basic('alice:wonderland'), { ok: false, status: 500 }, ['AH01620']],
    ['no AuthUserFile', state({ userFile: null }), basic('alice:wonderland'), { ok: false, status: 500 }, ['AH01619']],
    ['AuthType Digest without its module', state({ authType: 'Digest' }), basic('alice:wonderland'), { ok: false, status: 500 }, ['AH01796']],
    ['AuthType None', state({ authType: 'None' }), basic('alice:wonderland'), { ok: false, status: 500 }, ['AH00027']],
    ['no AuthType', state({ authType: null }), basic('alice:wonderland'), { ok: false, status: 500 }, ['AH00027']],
  ] as const)('%s', (_, authn, authorization, outcome, logged) => {
    const result = authenticate(authn, request(authorization));
    expect(result).toMatchObject(outcome);
    expect(codes(result)).toEqual(logged);
  });

  it('answers AH00025 when no authentication module is loaded', () => {
    const result = authenticate(state({ authType: null }), request(basic('a:b'), { modules: new Set() }));
    expect(codes(result)).toEqual(['AH00025']);
  });

  it('asks the providers in order until one knows the user', () => {
    const anonymous = { users: ['guest'], anyUser: false, noUserId: false, mustGiveEmail: true, verifyEmail: false, logEmail: true };
    const authn = state({ basicProviders: ['file', 'anon'], anonymous });
    expect(authenticate(authn, request(basic('guest:me@example.org')))).toMatchObject({ ok: true, user: 'guest' });
    expect(codes(authenticate(authn, request(basic('guest:me@example.org'))))).toEqual(['AH01672']);
    expect(authenticate(authn, request(basic('GUEST:')))).toMatchObject({ ok: false, status: 401 });
    expect(authenticate(authn, request(basic('alice:wonderland')))).toMatchObject({ ok: true, user: 'alice' });
  });
});
