// Exponential backoff with full jitter (a random wait in [0, min(cap, base·2^n)]), so
// retries from many dispatchers spread out instead of hitting a recovering provider at once.
export function backoff(attempt, baseMs, capMs, random = Math.random) {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}
