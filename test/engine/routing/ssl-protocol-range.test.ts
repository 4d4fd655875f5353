import { describe, expect, it } from 'vitest';
import { tlsProtocolRange } from '../../../sandbox/engine/routing/ssl-protocol-range.ts';

// ssl_cmd_protocol_parse + ssl_init_ctx_protocol; measured in differential scenario 594.
describe('tlsProtocolRange', () => {
  it('turns the enabled set into its lowest and highest version', () => {
    expect(tlsProtocolRange('-all +TLSv1')).toEqual({ min: 'TLSv1', max: 'TLSv1' });
    expect(tlsProtocolRange('-all +TLSv1.3')).toEqual({ min: 'TLSv1.3', max: 'TLSv1.3' });
    expect(tlsProtocolRange('all -TLSv1 -TLSv1.1')).toEqual({ min: 'TLSv1.2', max: 'TLSv1.3' });
    expect(tlsProtocolRange('TLSv1.2 +TLSv1.3')).toEqual({ min: 'TLSv1.2', max: 'TLSv1.3' });
  });

  it('lets a word without +/- replace what came before, and reports an empty set as null', () => {
    expect(tlsProtocolRange('TLSv1 TLSv1.2')).toEqual({ min: 'TLSv1.2', max: 'TLSv1.2' });
    expect(tlsProtocolRange('-all')).toBeNull();
    expect(tlsProtocolRange('all -SSLv3')).toEqual({ min: 'TLSv1', max: 'TLSv1.3' });
  });
});
