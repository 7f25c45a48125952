import type { DemoContract } from '../contract.js';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Matches } from 'class-validator';

/** A ticker symbol: 1-10 capital letters. */
export const SYMBOL = /^[A-Z]{1,10}$/;

/** Most symbols one `ticker:subscribe` or `ticker:unsubscribe` may list. */
export const MAX_SYMBOLS_PER_REQUEST = 20;

/** Payload of `ticker:subscribe` and `ticker:unsubscribe`. */
type SymbolsPayload = DemoContract['requests']['ticker:subscribe']['payload'];

export class SymbolsDto implements SymbolsPayload {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SYMBOLS_PER_REQUEST)
  @IsString({ each: true })
  @Matches(SYMBOL, { each: true, message: 'each symbol must be 1-10 capital letters A-Z' })
  symbols!: string[];
}
