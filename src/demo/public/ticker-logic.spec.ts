import { quoteChange } from './ticker-quote.js';

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
