// Server-only Ideogram client: explicit timeout, retries with backoff, a circuit breaker, typed errors.
import 'server-only';
import CircuitBreaker from 'opossum';

const IDEOGRAM_URL = 'https://api.ideogram.ai/v1/ideogram-v3/generate';
const MAX_ATTEMPTS = 4;

export class IdeogramError extends Error {
  constructor(message: string, readonly status: number, readonly retryable: boolean) {
    super(message);
  }
}

function errorFor(res: Response): IdeogramError {
  switch (res.status) {
    case 401:
    case 403:
      return new IdeogramError('Ideogram rejected the key', res.status, false);
    case 402:
      return new IdeogramError('Ideogram account has no credit', res.status, false);
    case 422:
      return new IdeogramError('Prompt rejected by the safety check', res.status, false);
    case 429:
      return new IdeogramError('Rate limited', res.status, true);
    default:
      return new IdeogramError(`Ideogram answered ${res.status}`, res.status, res.status >= 500);
  }
}

async function callIdeogram(prompt: string): Promise<Response> {
  return fetch(IDEOGRAM_URL, {
    method: 'POST',
    headers: { 'Api-Key': process.env.IDEOGRAM_API_KEY ?? '', 'Content-Type': 'application/json' },
    body: JSON.stringify({ prompt }),
    signal: AbortSignal.timeout(120_000),
  });
}

const breaker = new CircuitBreaker(callIdeogram, { timeout: 125_000, errorThresholdPercentage: 50, resetTimeout: 30_000 });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function generateImage(prompt: string): Promise<{ url: string | null; isImageSafe: boolean }> {
  for (let attempt = 0; ; attempt++) {
    const res: Response = await breaker.fire(prompt);
    if (res.ok) {
      const body = await res.json();
      const image = body.data[0];
      return { url: image.is_image_safe ? image.url : null, isImageSafe: Boolean(image.is_image_safe) };
    }
    const error = errorFor(res);
    if (!error.retryable || attempt + 1 >= MAX_ATTEMPTS) {
      throw error;
    }
    const retryAfter = Number(res.headers.get('Retry-After'));
    await sleep(retryAfter > 0 ? retryAfter * 1000 : Math.min(30_000, 2 ** attempt * 1000 + Math.random() * 250));
  }
}
