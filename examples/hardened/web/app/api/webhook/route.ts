import { createHmac, timingSafeEqual } from 'node:crypto';

function verifySignature(body: string, signature: string): boolean {
  const expected = createHmac('sha256', process.env.IDEOGRAM_WEBHOOK_SECRET ?? '').update(body).digest();
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function POST(req: Request) {
  const body = await req.text();
  if (!verifySignature(body, req.headers.get('x-signature') ?? '')) {
    return new Response('bad signature', { status: 401 });
  }
  const event = JSON.parse(body);
  return Response.json({ received: event.id });
}
