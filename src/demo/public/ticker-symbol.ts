import { byId } from './dom.js';

/** Symbols the server accepts: SymbolsDto's `SYMBOL` (src/demo/ticker/ticker.dto.ts). */
export const SYMBOL = /^[A-Z]{1,10}$/;

/** Longest symbol the server accepts. */
export const MAX_SYMBOL_LENGTH = 10;

/** What the symbol box makes of what was typed: a symbol to follow, or why not. */
export type SymbolInput = { symbol: string; problem?: undefined } | { problem: string };

/**
 * Reads a typed symbol (`nest` is `NEST`). Refuses, with a sentence for the user, what the server
 * would refuse (anything but 1-10 letters A-Z) and a symbol already followed: an over-long
 * symbol is refused as it is, never cut to its first ten letters.
 */
export function parseSymbol(typed: string, followed: readonly string[]): SymbolInput {
  const text = typed.trim();
  if (!text) return { problem: 'Type a symbol, for example ACME.' };
  if (!/^[a-z]+$/i.test(text)) return { problem: 'A symbol has only the letters A to Z.' };
  if (text.length > MAX_SYMBOL_LENGTH) {
    return {
      problem: `That is ${text.length} letters: a symbol has at most ${MAX_SYMBOL_LENGTH}.`,
    };
  }
  const symbol = text.toUpperCase();
  if (followed.includes(symbol)) return { problem: `You already follow ${symbol}.` };
  return { symbol };
}

/**
 * The symbol box (`#symbol-form`): follows what the user typed, or keeps it and says why not in
 * `#symbol-error` (the input's description, marked `aria-invalid`), until the input is fixed.
 */
export class SymbolForm {
  private readonly form = byId('symbol-form', HTMLFormElement);
  private readonly input = byId('symbol-input', HTMLInputElement);
  private readonly error = byId('symbol-error', HTMLElement);

  /** Listens to the form until `signal` aborts. */
  constructor(
    private readonly follow: (symbol: string) => void,
    private readonly followed: () => readonly string[],
    signal: AbortSignal,
  ) {
    this.form.addEventListener('submit', (event) => this.submit(event), { signal });
    this.input.addEventListener('input', () => this.recheck(), { signal });
    signal.addEventListener('abort', () => this.show(undefined));
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    const parsed = parseSymbol(this.input.value, this.followed());
    this.show(parsed.problem);
    if (parsed.problem !== undefined) {
      this.input.focus();
      return;
    }
    this.input.value = '';
    this.follow(parsed.symbol);
  }

  /** While a problem shows, it follows the input: gone once the input is fixed. */
  private recheck(): void {
    if (this.input.getAttribute('aria-invalid') !== 'true') return;
    this.show(parseSymbol(this.input.value, this.followed()).problem);
  }

  private show(problem: string | undefined): void {
    this.error.textContent = problem ?? '';
    if (problem === undefined) this.input.removeAttribute('aria-invalid');
    else this.input.setAttribute('aria-invalid', 'true');
  }
}
