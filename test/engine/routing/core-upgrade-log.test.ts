import { describe, expect, it } from 'vitest';
import { coreUpgradeHandlerLog, parseTokenListStrict } from '../../../sandbox/engine/routing/core-upgrade-log.ts';

// core_upgrade_handler (server/core.c) and ap_select_protocol (server/protocol.c), measured on
// httpd 2.4.71 in scenario 563.
describe('coreUpgradeHandlerLog', () => {
  const client = '127.0.0.1:5555';

  it('logs AH03155 with the offers when Connection lists upgrade, on the connection (ap_log_cerror: logged by the base server, scenario 662)', () => {
    expect(coreUpgradeHandlerLog([['Upgrade', ' h2c ,, websocket '], ['Connection', 'keep-alive, Upgrade']], 'localhost', [], client)).toEqual([
      { module: 'core', level: 'debug', origin: 'protocol.c(2462)', client, code: 'AH03155', message: 'select protocol from , choices=h2c,websocket for server localhost', connectionScoped: true },
    ]);
  });

  it('logs AH02910 for an offer list that does not parse, and nothing without Connection: upgrade', () => {
    expect(coreUpgradeHandlerLog([['Upgrade', 'websocket/13'], ['Connection', 'Upgrade']], 'localhost', [], client)).toEqual([
      { module: 'core', level: 'debug', origin: 'core.c(5594)', client, code: 'AH02910', message: "parsing Upgrade header: Encountered illegal separator '\\x2f'" },
    ]);
    expect(coreUpgradeHandlerLog([['Upgrade', 'websocket'], ['Connection', 'keep-alive']], 'localhost', [], client)).toEqual([]);
    expect(coreUpgradeHandlerLog([['Upgrade', ''], ['Connection', 'Upgrade']], 'localhost', [], client)).toEqual([]);
  });

  it('parses token lists like ap_parse_token_list_strict', () => {
    expect(parseTokenListStrict('a, b ,c')).toEqual({ tokens: ['a', 'b', 'c'] });
    expect(parseTokenListStrict('a b')).toEqual({ error: 'Encountered illegal whitespace in token' });
    expect(parseTokenListStrict(' , ')).toEqual({ tokens: [] });
  });
});
