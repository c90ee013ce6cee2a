<?php
// Cases for code-ideogram-no-timeout (PHP: WordPress plugin, Guzzle, curl, Laravel).

use GuzzleHttp\Client;
use Illuminate\Support\Facades\Http;

const IGP_ENDPOINT = 'https://api.ideogram.ai/v1/ideogram-v3/generate';

function igp_ajax_generate() {
    check_ajax_referer('igp_generate');
    $prompt = sanitize_text_field(wp_unslash($_POST['prompt'] ?? ''));
    // ruleid: code-ideogram-no-timeout-php
    $response = wp_remote_post(IGP_ENDPOINT, [
        'headers' => ['Api-Key' => get_option('igp_api_key'), 'Content-Type' => 'application/json'],
        'body'    => wp_json_encode(['image_request' => ['prompt' => $prompt]]),
    ]);
    wp_send_json(json_decode(wp_remote_retrieve_body($response), true));
}

function igp_remix($image_id) {
    $args = [
        'method'  => 'POST',
        'headers' => ['Api-Key' => get_option('igp_api_key')],
        'body'    => ['image_file' => $image_id],
    ];
    // ruleid: code-ideogram-no-timeout-php
    return wp_remote_request('https://api.ideogram.ai/v1/ideogram-v3/remix', $args);
}

function igp_describe($file) {
    $url = get_option('igp_ideogram_base', 'https://api.ideogram.ai') . '/describe';
    // ruleid: code-ideogram-no-timeout-php
    return wp_safe_remote_post($url, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'body' => $file]);
}

class IdeogramService
{
    public function generate(string $prompt): array
    {
        $client = new Client(['base_uri' => 'https://api.ideogram.ai/']);
        // ruleid: code-ideogram-no-timeout-php
        $res = $client->post('v1/ideogram-v3/generate', [
            'headers' => ['Api-Key' => config('services.ideogram.key')],
            'json' => ['prompt' => $prompt],
        ]);
        return json_decode((string) $res->getBody(), true);
    }

    public function upscale(string $path): array
    {
        $http = new \GuzzleHttp\Client(['headers' => ['Api-Key' => env('IDEOGRAM_API_KEY')]]);
        // ruleid: code-ideogram-no-timeout-php
        $res = $http->request('POST', 'https://api.ideogram.ai/upscale', ['multipart' => [['name' => 'image_file', 'contents' => fopen($path, 'r')]]]);
        return json_decode((string) $res->getBody(), true);
    }
}

function igp_curl_generate($prompt) {
    $ch = curl_init(IGP_ENDPOINT);
    curl_setopt($ch, CURLOPT_POST, true);
    curl_setopt($ch, CURLOPT_HTTPHEADER, ['Api-Key: ' . getenv('IDEOGRAM_API_KEY'), 'Content-Type: application/json']);
    curl_setopt($ch, CURLOPT_POSTFIELDS, json_encode(['image_request' => ['prompt' => $prompt]]));
    curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
    // ruleid: code-ideogram-no-timeout-php
    $out = curl_exec($ch);
    curl_close($ch);
    return $out;
}

function igp_curl_array($prompt) {
    $ch = curl_init();
    curl_setopt_array($ch, [
        CURLOPT_URL => 'https://api.ideogram.ai/generate',
        CURLOPT_POST => true,
        CURLOPT_HTTPHEADER => ['Api-Key: ' . getenv('IDEOGRAM_API_KEY')],
        CURLOPT_RETURNTRANSFER => true,
    ]);
    // ruleid: code-ideogram-no-timeout-php
    return curl_exec($ch);
}

function igp_short_args($prompt) {
    $args = ['headers' => ['Api-Key' => get_option('igp_api_key')], 'body' => wp_json_encode(['prompt' => $prompt])];
    $args['method'] = 'POST';
    // ruleid: code-ideogram-no-timeout-php
    return wp_remote_post(IGP_ENDPOINT, $args);
}

// ---- ok

function ok_wp_timeout($prompt) {
    // ok: code-ideogram-no-timeout-php
    return wp_remote_post(IGP_ENDPOINT, [
        'headers' => ['Api-Key' => get_option('igp_api_key')],
        'body'    => wp_json_encode(['image_request' => ['prompt' => $prompt]]),
        'timeout' => 120,
    ]);
}

function ok_wp_args_var($prompt) {
    $args = ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt];
    // ok: code-ideogram-no-timeout-php
    return wp_remote_post(IGP_ENDPOINT, $args);
}

function ok_wp_args_set($prompt) {
    $args = ['headers' => ['Api-Key' => get_option('igp_api_key')], 'body' => $prompt];
    $args['timeout'] = 90;
    // ok: code-ideogram-no-timeout-php
    return wp_remote_post(IGP_ENDPOINT, $args);
}

function ok_guzzle_client_timeout($prompt) {
    $client = new Client(['base_uri' => 'https://api.ideogram.ai/', 'timeout' => 120]);
    // ok: code-ideogram-no-timeout-php
    return $client->post('v1/ideogram-v3/generate', ['headers' => ['Api-Key' => getenv('IDEOGRAM_API_KEY')], 'json' => ['prompt' => $prompt]]);
}

function ok_guzzle_request_timeout($prompt) {
    $client = new Client();
    // ok: code-ideogram-no-timeout-php
    return $client->post(IGP_ENDPOINT, ['headers' => ['Api-Key' => getenv('IDEOGRAM_API_KEY')], 'timeout' => 90]);
}

function ok_curl_timeout($prompt) {
    $ch = curl_init(IGP_ENDPOINT);
    curl_setopt($ch, CURLOPT_HTTPHEADER, ['Api-Key: ' . getenv('IDEOGRAM_API_KEY')]);
    curl_setopt($ch, CURLOPT_TIMEOUT, 120);
    // ok: code-ideogram-no-timeout-php
    return curl_exec($ch);
}

function ok_laravel_default($prompt) {
    // Laravel's HTTP client has a finite default (30 s)
    // ok: code-ideogram-no-timeout-php
    return Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->post(IGP_ENDPOINT, ['prompt' => $prompt]);
}

function ok_other_api($prompt) {
    // ok: code-ideogram-no-timeout-php
    return wp_remote_post('https://api.openai.com/v1/images/generations', ['headers' => ['Authorization' => 'Bearer ' . get_option('openai_key')]]);
}

function ok_download($url) {
    // ok: code-ideogram-no-timeout-php
    return download_url($url, 60);
}
