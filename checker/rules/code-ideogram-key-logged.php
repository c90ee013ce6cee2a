<?php
// Cases for code-ideogram-key-logged (PHP: WordPress plugin, Laravel, plain PHP).

use Illuminate\Support\Facades\Http;
use Illuminate\Support\Facades\Log;

const IDEOGRAM_URL = 'https://api.ideogram.ai/v1/ideogram-v3/generate';

function igp_debug_settings() {
    $key = get_option('igp_ideogram_api_key');
    // ruleid: code-ideogram-key-logged-php
    error_log('Ideogram key in use: ' . $key);
}

function igp_prefix() {
    $key = getenv('IDEOGRAM_API_KEY');
    // ruleid: code-ideogram-key-logged-php
    error_log('ideogram key prefix ' . substr($key, 0, 8));
}

function igp_generate_ajax() {
    $args = [
        'headers' => ['Api-Key' => get_option('igp_ideogram_api_key'), 'Content-Type' => 'application/json'],
        'body'    => wp_json_encode(['image_request' => ['prompt' => sanitize_text_field($_POST['prompt'])]]),
        'timeout' => 90,
    ];
    // ruleid: code-ideogram-key-logged-php
    error_log(print_r($args, true));
    return wp_remote_post(IDEOGRAM_URL, $args);
}

class ImageService
{
    private $ideogramApiKey;

    public function __construct()
    {
        $this->ideogramApiKey = config('services.ideogram.api_key');
    }

    public function boot()
    {
        // ruleid: code-ideogram-key-logged-php
        Log::debug('ideogram client ready', ['key' => $this->ideogramApiKey]);
    }

    public function headers()
    {
        $headers = ['Api-Key' => $this->ideogramApiKey];
        // ruleid: code-ideogram-key-logged-php
        $this->logger->info('calling ideogram', ['headers' => $headers]);
        return $headers;
    }
}

function laravel_env() {
    // ruleid: code-ideogram-key-logged-php
    logger('ideogram key: ' . env('IDEOGRAM_API_KEY'));
}

function dump_env() {
    // ruleid: code-ideogram-key-logged-php
    var_dump($_ENV['IDEOGRAM_API_KEY']);
}

function constant_key() {
    // ruleid: code-ideogram-key-logged-php
    error_log(sprintf('key=%s', IDEOGRAM_API_KEY));
}

function ok_length() {
    $key = getenv('IDEOGRAM_API_KEY');
    // ok: code-ideogram-key-logged-php
    error_log('ideogram key loaded (' . strlen($key) . ' chars)');
}

function ok_missing() {
    if (empty(get_option('igp_ideogram_api_key'))) {
        // ok: code-ideogram-key-logged-php
        error_log('Ideogram key is not configured');
    }
}

function ok_hash() {
    $fp = substr(hash('sha256', getenv('IDEOGRAM_API_KEY')), 0, 12);
    // ok: code-ideogram-key-logged-php
    Log::info('ideogram key fingerprint', ['fp' => $fp]);
}

function ok_response() {
    $response = wp_remote_post(IDEOGRAM_URL, [
        'headers' => ['Api-Key' => get_option('igp_ideogram_api_key')],
        'timeout' => 90,
    ]);
    // ok: code-ideogram-key-logged-php
    error_log('ideogram status ' . wp_remote_retrieve_response_code($response));
}

function ok_laravel_response($prompt) {
    $res = Http::withHeaders(['Api-Key' => config('services.ideogram.api_key')])
        ->timeout(90)
        ->post(IDEOGRAM_URL, ['image_request' => ['prompt' => $prompt]]);
    // ok: code-ideogram-key-logged-php
    Log::info('ideogram answered', ['status' => $res->status()]);
}

function ok_other_option() {
    // ok: code-ideogram-key-logged-php
    error_log('style ' . get_option('igp_ideogram_style'));
}

function ok_other_secret() {
    // ok: code-ideogram-key-logged-php
    error_log(substr(getenv('OPENAI_API_KEY'), 0, 3));
}

function ok_masked() {
    // ok: code-ideogram-key-logged-php
    error_log('key ' . igp_mask_key(getenv('IDEOGRAM_API_KEY')));
}

// ---- issue 13: a mask that keeps the first characters still prints a prefix of the key

function igp_mask_prefix($key) {
    return substr($key, 0, 4) . '...' . substr($key, -4);
}

function igp_log_masked_prefix() {
    // ruleid: code-ideogram-key-logged-php
    error_log('ideogram key ' . igp_mask_prefix(get_option('igp_ideogram_api_key')));
}

function igp_log_tail() {
    // ok: code-ideogram-key-logged-php
    error_log('ideogram key ****' . substr(hash('sha256', get_option('igp_ideogram_api_key')), -6));
}

// ---- issue 13: a route registration does not clear what its handler logs (Slim)

$app->post('/igp/generate', function ($request, $response) {
    $key = getenv('IDEOGRAM_API_KEY');
    // ruleid: code-ideogram-key-logged-php
    error_log('generate with key ' . $key);
    return $response;
});

$app->post('/igp/generate-logged', function ($request, $response) use ($logger) {
    // ruleid: code-ideogram-key-logged-php
    $logger->info('ideogram call', ['key' => getenv('IDEOGRAM_API_KEY')]);
    return $response;
});

$app->post('/igp/generate-ok', function ($request, $response) use ($client, $logger) {
    $res = $client->post('https://api.ideogram.ai/v1/ideogram-v3/generate', ['headers' => ['Api-Key' => getenv('IDEOGRAM_API_KEY')], 'timeout' => 90]);
    // ok: code-ideogram-key-logged-php
    $logger->info('ideogram answered', ['status' => $res->getStatusCode()]);
    return $response;
});

// ---- issue 13: the result of a local function that makes the HTTP call is the response, not the key

function igp_call_ideogram($key, $prompt) {
    $res = wp_remote_post('https://api.ideogram.ai/v1/ideogram-v3/generate', ['headers' => ['Api-Key' => $key], 'body' => $prompt, 'timeout' => 90]);
    return json_decode(wp_remote_retrieve_body($res), true);
}

function ok_local_call_result($prompt) {
    $result = igp_call_ideogram(get_option('igp_ideogram_api_key'), $prompt);
    // ok: code-ideogram-key-logged-php
    error_log('generated ' . $result['created']);
}

function igp_with_key($key) {
    return 'ideogram:' . $key;
}

function local_non_http_helper() {
    // a local helper that makes no HTTP call passes the key on
    // ruleid: code-ideogram-key-logged-php
    error_log('client ' . igp_with_key(get_option('igp_ideogram_api_key')));
}
