export async function POST(req: Request) {
  const payload = await req.json();
  await fetch(`${process.env.APP_URL}/internal/images`, {
    method: 'POST',
    body: JSON.stringify({ url: payload.data[0].url }),
  });
  return Response.json({ ok: true });
}
