import { parseDuration } from './duration.js';

/** A Go duration as Kubernetes components print their flags (40s, 1m0s, 500ms), in ms. */
export function goDurationMs(text: string): number {
  const parts = text.match(/\d+(?:\.\d+)?(?:ms|s|m|h)/g);
  if (!parts || parts.join('') !== text) throw new Error(`not a duration: ${text}`);
  return parts.reduce((sum, p) => sum + parseDuration(p), 0);
}
