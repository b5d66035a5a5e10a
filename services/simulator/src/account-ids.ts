/**
 * PaySim-style account names: 'C' + 10 digits for customers (and the agents, banks and mules that
 * PaySim also names 'C'), 'M' + 10 digits for merchants. An affine map modulo 10^9 is a bijection
 * (the multiplier is coprime to 10^9), so names look random yet never collide, with no set of
 * used names held in memory.
 */
const SPACE = 1_000_000_000;
const MULTIPLIER = 387_420_489; // 3^18: odd and not a multiple of 5, so coprime to 10^9

export function accountName(prefix: 'C' | 'M', index: number, seedOffset: number): string {
  if (index < 0 || index >= SPACE) throw new RangeError(`account index ${index} outside the id space`);
  return `${prefix}${SPACE + ((index * MULTIPLIER + seedOffset) % SPACE)}`;
}
