import { describe, expect, it } from 'vitest';
import { PROTOCOL_ERRORS, ProtocolError, protocolError } from '../../src/codec/protocol-error.js';

describe('protocolError', () => {
  it('makes an Error carrying the stable code, the close code and the Cowboy reason', () => {
    const error = protocolError('WS_ERR_INVALID_OPCODE', '0x3');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.name).toBe('ProtocolError');
    expect(error.code).toBe('WS_ERR_INVALID_OPCODE');
    expect(error.closeCode).toBe(1002);
    expect(error.reason).toBe('badframe');
    expect(error.message).toBe('opcodes 0x3-0x7 and 0xB-0xF are reserved: 0x3');
  });

  it('maps too-big to 1009 badsize, bad UTF-8 and bad DEFLATE data to 1007 badencoding, everything else to 1002 badframe', () => {
    for (const [code, info] of Object.entries(PROTOCOL_ERRORS)) {
      const expected =
        code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
          ? [1009, 'badsize']
          : code === 'WS_ERR_INVALID_UTF8' || code === 'WS_ERR_INVALID_COMPRESSED_DATA'
            ? [1007, 'badencoding']
            : [1002, 'badframe'];
      expect([info.closeCode, info.reason], code).toEqual(expected);
      const error = protocolError(code as keyof typeof PROTOCOL_ERRORS);
      expect([error.closeCode, error.reason, error.message], code).toEqual([...expected, info.message]);
    }
  });

  it('lists every error code the codec uses, each with an RFC rule', () => {
    expect(Object.keys(PROTOCOL_ERRORS).sort()).toEqual([
      'WS_ERR_EXPECTED_CONTINUATION',
      'WS_ERR_EXPECTED_MASK',
      'WS_ERR_FRAGMENTED_CONTROL',
      'WS_ERR_INVALID_CLOSE_CODE',
      'WS_ERR_INVALID_CLOSE_PAYLOAD',
      'WS_ERR_INVALID_COMPRESSED_DATA',
      'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
      'WS_ERR_INVALID_OPCODE',
      'WS_ERR_INVALID_UTF8',
      'WS_ERR_NON_MINIMAL_LENGTH',
      'WS_ERR_UNEXPECTED_CONTINUATION',
      'WS_ERR_UNEXPECTED_MASK',
      'WS_ERR_UNEXPECTED_RSV_1',
      'WS_ERR_UNEXPECTED_RSV_2_3',
      'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH',
      'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
    ]);
    for (const info of Object.values(PROTOCOL_ERRORS)) expect(info.rule).toMatch(/^RFC \d+ §/);
  });
});
