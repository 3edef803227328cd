import { stopKey, type Stop } from '@/common/stop';

/** The stops served by the given trips, each once, in the order they are first served. */
export function servedStops(trips: readonly (readonly Stop[])[]): string[] {
  const served: string[] = [];
  for (const trip of trips) {
    for (const stop of trip) {
      const key = stopKey(stop.code);
      if (served.indexOf(key) === -1) served.push(key);
    }
  }
  return served;
}
