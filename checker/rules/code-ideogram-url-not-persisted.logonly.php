<?php
// Cases for code-ideogram-url-not-persisted (PHP): a WP-CLI command that only logs the signed links.

function igp_cli_generate($args) {
    $res = wp_remote_post('https://api.ideogram.ai/v1/ideogram-v3/generate', [
        'headers' => ['Api-Key' => getenv('IDEOGRAM_API_KEY'), 'Content-Type' => 'application/json'],
        'body'    => wp_json_encode(['image_request' => ['prompt' => $args[0]]]),
        'timeout' => 90,
    ]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    foreach ($body['data'] as $image) {
        // ruleid: code-ideogram-url-not-persisted-php
        error_log('ideogram image ready: ' . $image['url']);
        // ok: code-ideogram-url-not-persisted-php
        error_log('seed ' . $image['seed']);
    }
}
