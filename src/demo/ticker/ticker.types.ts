/** Reply of `ticker:subscribe`: the current price of each requested symbol. */
export interface SubscribeReply {
  prices: Record<string, number>;
}

/** The `ticker:tick` push: one price of one symbol. */
export interface Tick {
  symbol: string;
  price: number;
  /** Server time of the tick, in ms since the epoch. */
  at: number;
}
