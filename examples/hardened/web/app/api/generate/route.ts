import { randomUUID } from 'node:crypto';
import { generateImage, IdeogramError } from '@/lib/ideogram';
import { persistImage } from '@/lib/storage';

export async function POST(req: Request) {
  const { prompt } = await req.json();
  try {
    const image = await generateImage(prompt);
    if (!image.isImageSafe || !image.url) {
      return Response.json({ error: 'image withheld by the safety filter' }, { status: 422 });
    }
    const stored = await persistImage(image.url, `${randomUUID()}.png`);
    return Response.json({ image: stored });
  } catch (error) {
    if (error instanceof IdeogramError && error.status === 422) {
      return Response.json({ error: 'prompt rejected, please rephrase' }, { status: 422 });
    }
    return Response.json(
      { image: '/placeholder.png', degraded: true },
      { status: 503, headers: { 'Retry-After': '30' } },
    );
  }
}
