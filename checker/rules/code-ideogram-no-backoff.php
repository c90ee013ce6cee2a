<?php
// Cases for code-ideogram-no-backoff (PHP: WordPress, Laravel).

use Illuminate\Support\Facades\Http;

const IGP_URL = 'https://api.ideogram.ai/v1/ideogram-v3/generate';

function igp_generate($prompt) {
    // ruleid: code-ideogram-no-backoff-php
    return wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
}

function igp_remix($image) {
    // ruleid: code-ideogram-no-backoff-php
    return wp_remote_request('https://api.ideogram.ai/v1/ideogram-v3/remix', ['method' => 'POST', 'timeout' => 90, 'body' => $image]);
}

function igp_proxy($url, $prompt) {
    // ruleid: code-ideogram-no-backoff-php
    return wp_remote_post($url, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
}

function igp_hot_loop($prompt) {
    for ($i = 0; $i < 3; $i++) {
        // a loop without a pause hammers a rate-limited API
        // ruleid: code-ideogram-no-backoff-php
        $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90]);
        if (!is_wp_error($res)) {
            return $res;
        }
    }
    return null;
}

function igp_laravel($prompt) {
    // ruleid: code-ideogram-no-backoff-php
    return Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->post(IGP_URL, ['prompt' => $prompt]);
}

function igp_laravel_timeout($prompt) {
    // ruleid: code-ideogram-no-backoff-php
    return Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->timeout(90)->post(IGP_URL, ['prompt' => $prompt]);
}

function igp_laravel_url($prompt) {
    // ruleid: code-ideogram-no-backoff-php
    return Http::acceptJson()->post('https://api.ideogram.ai/describe', ['image' => $prompt]);
}

function igp_laravel_chain($prompt) {
    // ruleid: code-ideogram-no-backoff-php
    return Http::asMultipart()->timeout(90)->post('https://api.ideogram.ai/upscale', ['image' => $prompt]);
}

// ---- ok

function ok_loop_sleep($prompt) {
    for ($attempt = 0; $attempt < 4; $attempt++) {
        // ok: code-ideogram-no-backoff-php
        $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90]);
        $code = wp_remote_retrieve_response_code($res);
        if ($code !== 429 && $code < 500) {
            return $res;
        }
        sleep(2 ** $attempt);
    }
    return $res;
}

function ok_while_usleep($prompt) {
    $tries = 0;
    while ($tries++ < 5) {
        // ok: code-ideogram-no-backoff-php
        $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90]);
        if (wp_remote_retrieve_response_code($res) !== 429) {
            return $res;
        }
        usleep(250000 * $tries);
    }
    return null;
}

function ok_laravel_retry($prompt) {
    // ok: code-ideogram-no-backoff-php
    return Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->retry(3, 500)->post(IGP_URL, ['prompt' => $prompt]);
}

function ok_laravel_retry_timeout($prompt) {
    // ok: code-ideogram-no-backoff-php
    return Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->timeout(90)->retry(3, 500)->post(IGP_URL, ['prompt' => $prompt]);
}

function ok_laravel_helper($prompt) {
    return retry(3, function () use ($prompt) {
        // ok: code-ideogram-no-backoff-php
        return Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->post(IGP_URL, ['prompt' => $prompt]);
    }, 1000);
}

function ok_other_api($prompt) {
    // ok: code-ideogram-no-backoff-php
    return wp_remote_post('https://api.openai.com/v1/images/generations', ['timeout' => 60, 'body' => $prompt]);
}

function ok_download($url) {
    // ok: code-ideogram-no-backoff-php
    return wp_remote_get($url, ['timeout' => 60]);
}

function ok_do_while($prompt) {
    $n = 0;
    do {
        // ok: code-ideogram-no-backoff-php
        $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90]);
        sleep(1);
    } while (++$n < 3 && wp_remote_retrieve_response_code($res) === 429);
    return $res;
}
