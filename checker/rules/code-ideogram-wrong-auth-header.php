<?php
// Cases for code-ideogram-wrong-auth-header (PHP).

use Illuminate\Support\Facades\Http;

const IGP_URL = 'https://api.ideogram.ai/v1/ideogram-v3/generate';

function igp_bearer_option($prompt) {
    return wp_remote_post(IGP_URL, [
        'headers' => [
            // ruleid: code-ideogram-wrong-auth-header-php
            'Authorization' => 'Bearer ' . get_option('igp_ideogram_api_key'),
        ],
        'timeout' => 90,
        'body' => wp_json_encode(['image_request' => ['prompt' => $prompt]]),
    ]);
}

function igp_bearer_env() {
    // ruleid: code-ideogram-wrong-auth-header-php
    $headers = ['Authorization' => "Bearer " . getenv('IDEOGRAM_API_KEY'), 'Accept' => 'application/json'];
    return $headers;
}

function igp_bearer_laravel($prompt) {
    // ruleid: code-ideogram-wrong-auth-header-php
    return Http::withToken(config('services.ideogram.key'))->timeout(90)->post(IGP_URL, ['prompt' => $prompt]);
}

function igp_curl_bearer($ch) {
    curl_setopt($ch, CURLOPT_HTTPHEADER, [
        // ruleid: code-ideogram-wrong-auth-header-php
        'Authorization: Bearer ' . getenv('IDEOGRAM_API_KEY'),
        'Content-Type: application/json',
    ]);
}

class IdeogramClient
{
    private $ideogramApiKey;

    public function headers()
    {
        // ruleid: code-ideogram-wrong-auth-header-php
        return ['Authorization' => 'Bearer ' . $this->ideogramApiKey];
    }
}

function igp_bearer_sprintf() {
    // ruleid: code-ideogram-wrong-auth-header-php
    return ['Authorization' => sprintf('Bearer %s', env('IDEOGRAM_API_KEY'))];
}

function igp_any_bearer($token) {
    return wp_remote_post('https://api.ideogram.ai/describe', [
        // ruleid: code-ideogram-wrong-auth-header-php
        'headers' => ['Authorization' => 'Bearer ' . $token],
        'timeout' => 60,
    ]);
}

function igp_laravel_any_token($token) {
    // ruleid: code-ideogram-wrong-auth-header-php
    return Http::withToken($token)->post('https://api.ideogram.ai/v1/ideogram-v3/generate', []);
}

// ---- ok

function ok_api_key($prompt) {
    return wp_remote_post(IGP_URL, [
        // ok: code-ideogram-wrong-auth-header-php
        'headers' => ['Api-Key' => get_option('igp_ideogram_api_key')],
        'timeout' => 90,
    ]);
}

function ok_openai() {
    // ok: code-ideogram-wrong-auth-header-php
    return ['Authorization' => 'Bearer ' . getenv('OPENAI_API_KEY')];
}

function ok_laravel_api_key($prompt) {
    // ok: code-ideogram-wrong-auth-header-php
    return Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->post(IGP_URL, ['prompt' => $prompt]);
}

function ok_own_backend($token) {
    // ok: code-ideogram-wrong-auth-header-php
    return wp_remote_post('https://example.com/wp-json/igp/v1/jobs', ['headers' => ['Authorization' => 'Bearer ' . $token]]);
}

function ok_curl_api_key($ch) {
    // ok: code-ideogram-wrong-auth-header-php
    curl_setopt($ch, CURLOPT_HTTPHEADER, ['Api-Key: ' . getenv('IDEOGRAM_API_KEY')]);
}

function ok_laravel_other_token() {
    // ok: code-ideogram-wrong-auth-header-php
    return Http::withToken(config('services.replicate.token'))->post('https://api.replicate.com/v1/predictions', []);
}

function ok_nonce() {
    // ok: code-ideogram-wrong-auth-header-php
    return ['X-WP-Nonce' => wp_create_nonce('wp_rest'), 'X-Ideogram-Model' => get_option('igp_ideogram_model')];
}

function ok_basic() {
    // ok: code-ideogram-wrong-auth-header-php
    return ['Authorization' => 'Basic ' . base64_encode('user:' . getenv('PROXY_PASSWORD'))];
}
