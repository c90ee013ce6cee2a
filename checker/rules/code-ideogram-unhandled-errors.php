<?php
// Cases for code-ideogram-unhandled-errors (PHP: WordPress, Laravel).

use Illuminate\Support\Facades\Http;

const IGP_URL = 'https://api.ideogram.ai/v1/ideogram-v3/generate';

function igp_generate($prompt) {
    // ruleid: code-ideogram-unhandled-errors-php
    $response = wp_remote_post(IGP_URL, [
        'headers' => ['Api-Key' => get_option('igp_api_key')],
        'body' => wp_json_encode(['image_request' => ['prompt' => $prompt]]),
        'timeout' => 90,
    ]);
    if (is_wp_error($response)) {
        return null;
    }
    return json_decode(wp_remote_retrieve_body($response), true);
}

function igp_generate_not_200($prompt) {
    // ruleid: code-ideogram-unhandled-errors-php
    $response = wp_remote_post('https://api.ideogram.ai/generate', ['timeout' => 90, 'body' => $prompt]);
    $code = wp_remote_retrieve_response_code($response);
    if ($code !== 200) {
        wp_send_json_error('Image generation failed');
    }
    wp_send_json_success(json_decode(wp_remote_retrieve_body($response), true));
}

function igp_args_var($prompt) {
    $args = ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 60, 'body' => $prompt];
    // ruleid: code-ideogram-unhandled-errors-php
    $res = wp_remote_post(get_option('igp_endpoint'), $args);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    update_option('igp_last', $body['created'] ?? '');
    return $body;
}

function igp_remix($image) {
    // ruleid: code-ideogram-unhandled-errors-php
    $res = wp_remote_request('https://api.ideogram.ai/v1/ideogram-v3/remix', ['method' => 'POST', 'timeout' => 90, 'body' => $image]);
    $code = wp_remote_retrieve_response_code($res);
    if ($code >= 400) {
        error_log('ideogram failed');
        return false;
    }
    return wp_remote_retrieve_body($res);
}

function igp_laravel($prompt) {
    // ruleid: code-ideogram-unhandled-errors-php
    $res = Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->post(IGP_URL, ['prompt' => $prompt]);
    if ($res->failed()) {
        abort(502, 'Image generation failed');
    }
    $data = $res->json();
    return $data;
}

function igp_laravel_timeout($prompt) {
    // ruleid: code-ideogram-unhandled-errors-php
    $res = Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->timeout(90)->post(IGP_URL, ['prompt' => $prompt]);
    $data = $res->json('data');
    return $data;
}

function igp_laravel_url($prompt) {
    // ruleid: code-ideogram-unhandled-errors-php
    $res = Http::acceptJson()->post('https://api.ideogram.ai/describe', ['image' => $prompt]);
    if (! $res->successful()) {
        throw new RuntimeException('ideogram error');
    }
    $text = $res->json('descriptions.0.text');
    return $text;
}

function igp_safe_post($prompt) {
    // ruleid: code-ideogram-unhandled-errors-php
    $r = wp_safe_remote_post(IGP_URL, ['timeout' => 90, 'headers' => ['Api-Key' => get_option('igp_api_key')]]);
    echo esc_html(wp_remote_retrieve_body($r));
}

// ---- ok

function ok_switch($prompt) {
    // ok: code-ideogram-unhandled-errors-php
    $response = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90]);
    if (is_wp_error($response)) {
        return $response;
    }
    $code = wp_remote_retrieve_response_code($response);
    switch ($code) {
        case 200:
            return json_decode(wp_remote_retrieve_body($response), true);
        case 402:
            return new WP_Error('igp_credits', 'Out of Ideogram credits');
        case 429:
            return new WP_Error('igp_busy', 'Try again shortly');
        default:
            return new WP_Error('igp_failed', 'Generation failed');
    }
}

function ok_if_code($prompt) {
    // ok: code-ideogram-unhandled-errors-php
    $response = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90]);
    $code = wp_remote_retrieve_response_code($response);
    if ($code === 422) {
        return new WP_Error('igp_rejected', 'Prompt rejected');
    }
    return json_decode(wp_remote_retrieve_body($response), true);
}

function ok_in_array($prompt) {
    // ok: code-ideogram-unhandled-errors-php
    $response = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90]);
    $code = wp_remote_retrieve_response_code($response);
    if (in_array($code, [401, 403], true)) {
        return new WP_Error('igp_key', 'Check the Ideogram API key');
    }
    return json_decode(wp_remote_retrieve_body($response), true);
}

function todo_helper($prompt) {
    // a same-file helper that switches on the status is not followed yet (see the report: integration map)
    // todook: code-ideogram-unhandled-errors-php
    $response = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90]);
    return igp_handle_response($response);
}

function ok_equal_loose($prompt) {
    // ok: code-ideogram-unhandled-errors-php
    $response = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90]);
    $status = wp_remote_retrieve_response_code($response);
    if ($status == 429) {
        return new WP_Error('igp_busy', 'Try again shortly');
    }
    return json_decode(wp_remote_retrieve_body($response), true);
}

function ok_returned($prompt) {
    // the caller reads the status
    // ok: code-ideogram-unhandled-errors-php
    $response = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90]);
    return $response;
}

function ok_laravel_status($prompt) {
    // ok: code-ideogram-unhandled-errors-php
    $res = Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->post(IGP_URL, ['prompt' => $prompt]);
    if ($res->status() === 429) {
        throw new RateLimited();
    }
    return $res->json();
}

function ok_laravel_helpers($prompt) {
    // ok: code-ideogram-unhandled-errors-php
    $res = Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->post(IGP_URL, ['prompt' => $prompt]);
    if ($res->tooManyRequests()) {
        throw new RateLimited();
    }
    return $res->json();
}

function ok_other_api($prompt) {
    // ok: code-ideogram-unhandled-errors-php
    $res = wp_remote_post('https://api.openai.com/v1/images/generations', ['timeout' => 60, 'body' => $prompt]);
    return wp_remote_retrieve_body($res);
}
