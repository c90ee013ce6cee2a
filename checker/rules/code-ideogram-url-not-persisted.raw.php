<?php
// Cases for code-ideogram-url-not-persisted (PHP): Ideogram's whole answer sent to the browser.

use Illuminate\Support\Facades\Http;

const IGP_ENDPOINT = 'https://api.ideogram.ai/v1/ideogram-v3/generate';

function igp_ajax_generate_raw() {
    check_ajax_referer('igp');
    $res = wp_remote_post(IGP_ENDPOINT, [
        'headers' => ['Api-Key' => get_option('igp_ideogram_api_key'), 'Content-Type' => 'application/json'],
        'body'    => wp_json_encode(['image_request' => ['prompt' => sanitize_text_field($_POST['prompt'])]]),
        'timeout' => 90,
    ]);
    if (is_wp_error($res)) {
        // ok: code-ideogram-url-not-persisted-php-raw
        wp_send_json_error(['message' => $res->get_error_message()], 502);
    }
    // ruleid: code-ideogram-url-not-persisted-php-raw
    wp_send_json_success(json_decode(wp_remote_retrieve_body($res), true));
}

function igp_ajax_echo_raw() {
    $res = wp_remote_post(IGP_ENDPOINT, ['headers' => ['Api-Key' => get_option('igp_ideogram_api_key')], 'body' => $_POST['body'], 'timeout' => 90]);
    header('Content-Type: application/json');
    // ruleid: code-ideogram-url-not-persisted-php-raw
    echo wp_remote_retrieve_body($res);
    wp_die();
}

class StudioApiController
{
    public function generate($request)
    {
        $res = Http::withHeaders(['Api-Key' => config('services.ideogram.key')])
            ->timeout(90)
            ->post('https://api.ideogram.ai/v1/ideogram-v3/generate', ['image_request' => ['prompt' => $request->input('prompt')]]);
        // ruleid: code-ideogram-url-not-persisted-php-raw
        return response()->json($res->json());
    }

    public function status($request)
    {
        $res = Http::withHeaders(['Api-Key' => config('services.ideogram.key')])
            ->timeout(90)
            ->post('https://api.ideogram.ai/v1/ideogram-v3/generate', ['image_request' => ['prompt' => 'probe']]);
        // ok: code-ideogram-url-not-persisted-php-raw
        return response()->json(['ok' => $res->successful(), 'status' => $res->status()]);
    }
}

function igp_ajax_fields() {
    $res = wp_remote_post(IGP_ENDPOINT, ['headers' => ['Api-Key' => get_option('igp_ideogram_api_key')], 'body' => $_POST['body'], 'timeout' => 90]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    // ok: code-ideogram-url-not-persisted-php-raw
    wp_send_json_success(['created' => $body['created'], 'count' => count($body['data'])]);
}

function igp_ajax_code() {
    $res = wp_remote_post(IGP_ENDPOINT, ['headers' => ['Api-Key' => get_option('igp_ideogram_api_key')], 'body' => $_POST['body'], 'timeout' => 90]);
    // ok: code-ideogram-url-not-persisted-php-raw
    wp_send_json(['status' => wp_remote_retrieve_response_code($res)]);
}
