// Server-only Ideogram client: explicit timeout, retries with backoff, a circuit breaker, typed errors.
import 'server-only';
import CircuitBreaker from 'opossum';

const IDEOGRAM_URL = 'https://api.ideogram.ai/v1/ideogram-v3/generate';
const MAX_ATTEMPTS = 4;

export class IdeogramError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function backoffMs(res: Response, attempt: number): number {
  const retryAfter = Number(res.headers.get('Retry-After'));
  return retryAfter > 0 ? retryAfter * 1000 : Math.min(30_000, 2 ** attempt * 1000 + Math.random() * 250);
}

// One generation, retried with backoff on 429 and 5xx only; every other failure is told apart.
async function callIdeogram(prompt: string): Promise<{ data: { url: string | null; is_image_safe: boolean }[] }> {
  let lastStatus = 0;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const res = await fetch(IDEOGRAM_URL, {
      method: 'POST',
      headers: { 'Api-Key': process.env.IDEOGRAM_API_KEY ?? '', 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt }),
      signal: AbortSignal.timeout(120_000),
    });
    if (res.ok) {
      return res.json();
    }
    switch (res.status) {
      case 401:
      case 403:
        throw new IdeogramError('Ideogram rejected the key', res.status);
      case 402:
        throw new IdeogramError('Ideogram account has no credit', res.status);
      case 422:
        throw new IdeogramError('Prompt rejected by the safety check', res.status);
      case 429:
        break;
      default:
        if (res.status < 500) {
          throw new IdeogramError(`Ideogram answered ${res.status}`, res.status);
        }
    }
    lastStatus = res.status;
    if (attempt < MAX_ATTEMPTS) {
      await sleep(backoffMs(res, attempt));
    }
  }
  throw new IdeogramError(`Ideogram still failing after ${MAX_ATTEMPTS} attempts`, lastStatus);
}

const breaker = new CircuitBreaker(callIdeogram, { timeout: 600_000, errorThresholdPercentage: 50, resetTimeout: 30_000 });

export async function generateImage(prompt: string): Promise<{ url: string | null; isImageSafe: boolean }> {
  const body = await breaker.fire(prompt);
  const image = body.data[0];
  return { url: image.is_image_safe ? image.url : null, isImageSafe: Boolean(image.is_image_safe) };
}
