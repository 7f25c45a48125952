import { SYMBOL as SERVER_SYMBOL } from '../ticker/ticker.dto.js';
import { quoteChange } from './ticker-quote.js';
import { MAX_SYMBOL_LENGTH, parseSymbol, SYMBOL } from './ticker-symbol.js';

describe('the ticker’s change: arrow, trend and percentage agree', () => {
  it('points up for a rise and down for a fall, with the sign of the percentage', () => {
    expect(quoteChange(100, 100.52)).toEqual({ text: '+0.52%', trend: 'up', arrow: '▲' });
    expect(quoteChange(100, 98.7)).toEqual({ text: '-1.30%', trend: 'down', arrow: '▼' });
    expect(quoteChange(100, 100)).toEqual({ text: '0.00%', trend: 'flat', arrow: '' });
  });

  it('follows the percentage as shown: a change that rounds to 0.00% is flat', () => {
    expect(quoteChange(1000, 1000.04)).toEqual({ text: '0.00%', trend: 'flat', arrow: '' });
    expect(quoteChange(1000, 999.96)).toEqual({ text: '0.00%', trend: 'flat', arrow: '' });
    expect(quoteChange(1000, 1000.1)).toEqual({ text: '+0.01%', trend: 'up', arrow: '▲' });
    expect(quoteChange(1000, 999.9)).toEqual({ text: '-0.01%', trend: 'down', arrow: '▼' });
  });
});

describe('the symbol box', () => {
  it('accepts exactly the symbols the server’s SymbolsDto accepts', () => {
    expect(SYMBOL.source).toBe(SERVER_SYMBOL.source);
    const longest = 'A'.repeat(MAX_SYMBOL_LENGTH);
    expect(SERVER_SYMBOL.test(longest)).toBe(true);
    expect(SERVER_SYMBOL.test(`${longest}A`)).toBe(false);
    expect(parseSymbol(longest, [])).toEqual({ symbol: longest });
  });

  it('reads typed symbols in capitals', () => {
    expect(parseSymbol(' nest ', [])).toEqual({ symbol: 'NEST' });
  });

  it('refuses an over-long symbol as typed, with its length, instead of cutting it', () => {
    expect(parseSymbol('ABCDEFGHIJK', [])).toEqual({
      problem: 'That is 11 letters: a symbol has at most 10.',
    });
  });

  it('refuses other characters, nothing, and a symbol already followed', () => {
    expect(parseSymbol('BRK.B', []).problem).toBe('A symbol has only the letters A to Z.');
    expect(parseSymbol('ÄPFEL', []).problem).toBe('A symbol has only the letters A to Z.');
    expect(parseSymbol('  ', []).problem).toBe('Type a symbol, for example ACME.');
    expect(parseSymbol('acme', ['ACME']).problem).toBe('You already follow ACME.');
  });
});
