/**
 * Defaults of the feedback loop. The maturity window is production's (card-network chargeback
 * windows are 30-120 days; 30 days catches most reported fraud); the simulator compresses time,
 * so runs against it pass seconds (see README "Time").
 */
export const DEFAULT_MATURITY = '30d';
export const DEFAULT_MIN_FRAUDS = 20;
