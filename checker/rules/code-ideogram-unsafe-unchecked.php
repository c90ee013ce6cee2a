<?php
// Cases for code-ideogram-unsafe-unchecked (PHP).

const IGP_URL = 'https://api.ideogram.ai/v1/ideogram-v3/generate';

function igp_first($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    // ruleid: code-ideogram-unsafe-unchecked-php
    return $body['data'][0]['url'];
}

function igp_all($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    $out = [];
    foreach ($body['data'] as $img) {
        // ruleid: code-ideogram-unsafe-unchecked-php
        $out[] = media_sideload_image($img['url'], 0, $prompt, 'id');
    }
    return $out;
}

function igp_indexed($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    foreach ($body['data'] as $i => $img) {
        // ruleid: code-ideogram-unsafe-unchecked-php
        update_post_meta($i, '_igp_src', $img['url']);
    }
}

function igp_pick($prompt) {
    $res = wp_remote_post('https://api.ideogram.ai/generate', ['timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    $first = $body['data'][0];
    // ruleid: code-ideogram-unsafe-unchecked-php
    return download_url($first['url']);
}

function igp_column($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    // ruleid: code-ideogram-unsafe-unchecked-php
    return array_column($body['data'], 'url');
}

function igp_json($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    // ruleid: code-ideogram-unsafe-unchecked-php
    wp_send_json_success(['src' => $body['data'][0]['url']]);
}

function igp_checked_after($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    // ruleid: code-ideogram-unsafe-unchecked-php
    $url = $body['data'][0]['url'];
    if (empty($body['data'][0]['is_image_safe'])) {
        return null;
    }
    return $url;
}

function igp_other_check($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    foreach ($body['data'] as $img) {
        // ruleid: code-ideogram-unsafe-unchecked-php
        if (!empty($img['url'])) {
            // ruleid: code-ideogram-unsafe-unchecked-php
            return $img['url'];
        }
    }
}

// ---- ok

function ok_guard($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    if (empty($body['data'][0]['is_image_safe'])) {
        return new WP_Error('igp_blocked', 'Image withheld by the safety filter');
    }
    // ok: code-ideogram-unsafe-unchecked-php
    return $body['data'][0]['url'];
}

function ok_loop($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    $out = [];
    foreach ($body['data'] as $img) {
        if (!$img['is_image_safe']) {
            continue;
        }
        // ok: code-ideogram-unsafe-unchecked-php
        $out[] = media_sideload_image($img['url'], 0, $prompt, 'id');
    }
    return $out;
}

function ok_inside($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    $first = $body['data'][0];
    if ($first['is_image_safe']) {
        // ok: code-ideogram-unsafe-unchecked-php
        return download_url($first['url']);
    }
    return null;
}

function ok_inside_index($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    if (!empty($body['data'][0]['is_image_safe'])) {
        // ok: code-ideogram-unsafe-unchecked-php
        return $body['data'][0]['url'];
    }
    return null;
}

function ok_other_vendor($body) {
    // ok: code-ideogram-unsafe-unchecked-php
    return $body['data'][0]['url'];
}

function ok_seed($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    // ok: code-ideogram-unsafe-unchecked-php
    return $body['data'][0]['seed'];
}

function ok_and($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    foreach ($body['data'] as $img) {
        if (!empty($img['url']) && $img['is_image_safe']) {
            // ok: code-ideogram-unsafe-unchecked-php
            return $img['url'];
        }
    }
    return null;
}

function ok_indexed_loop($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    foreach ($body['data'] as $i => $img) {
        if (empty($img['is_image_safe'])) {
            continue;
        }
        // ok: code-ideogram-unsafe-unchecked-php
        update_post_meta($i, '_igp_src', $img['url']);
    }
}
