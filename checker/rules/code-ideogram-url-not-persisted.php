<?php
// Cases for code-ideogram-url-not-persisted (PHP: WordPress plugin, Laravel).

use App\Models\Generation;
use Illuminate\Support\Facades\Cache;
use Illuminate\Support\Facades\Http;

const IGP_URL = 'https://api.ideogram.ai/v1/ideogram-v3/generate';

function igp_generate_for_post($post_id, $prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    // ruleid: code-ideogram-url-not-persisted-php
    update_post_meta($post_id, '_igp_image_url', $body['data'][0]['url']);
}

function igp_ajax_generate() {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $_POST['prompt']]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    // ruleid: code-ideogram-url-not-persisted-php
    wp_send_json_success(['url' => $body['data'][0]['url']]);
}

function igp_gallery($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    foreach ($body['data'] as $img) {
        // ruleid: code-ideogram-url-not-persisted-php
        echo '<img src="' . esc_url($img['url']) . '">';
    }
}

function igp_all_urls($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    $urls = array_column($body['data'], 'url');
    // ruleid: code-ideogram-url-not-persisted-php
    update_option('igp_last_urls', $urls);
}

function igp_insert_row($prompt) {
    global $wpdb;
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    $first = $body['data'][0];
    // ruleid: code-ideogram-url-not-persisted-php
    $wpdb->insert($wpdb->prefix . 'igp_images', ['prompt' => $prompt, 'url' => $first['url']]);
}

class ImageController
{
    public function store($request)
    {
        $res = Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->timeout(90)->post(IGP_URL, ['prompt' => $request->prompt]);
        $data = $res->json();
        // ruleid: code-ideogram-url-not-persisted-php
        Generation::create(['prompt' => $request->prompt, 'image_url' => $data['data'][0]['url']]);
    }

    public function preview($request)
    {
        $res = Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->timeout(90)->post(IGP_URL, ['prompt' => $request->prompt]);
        $data = $res->json();
        // ruleid: code-ideogram-url-not-persisted-php
        return response()->json(['url' => $data['data'][0]['url']]);
    }

    public function remember($request)
    {
        $res = Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->timeout(90)->post(IGP_URL, ['prompt' => $request->prompt]);
        $data = $res->json();
        // ruleid: code-ideogram-url-not-persisted-php
        Cache::put('igp:' . md5($request->prompt), $data['data'][0]['url'], 3600);
    }

    public function urlFor($prompt)
    {
        $res = Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->timeout(90)->post(IGP_URL, ['prompt' => $prompt]);
        $data = $res->json();
        // handed out by a public method: the repository-level pass drops it when every caller persists it
        // ruleid: code-ideogram-url-not-persisted-php
        return $data['data'][0]['url'];
    }
}

// ---- ok

function ok_sideload($post_id, $prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    $url = $body['data'][0]['url'];
    $attachment_id = media_sideload_image($url, $post_id, $prompt, 'id');
    // ok: code-ideogram-url-not-persisted-php
    update_post_meta($post_id, '_igp_image_url', wp_get_attachment_url($attachment_id));
}

function ok_download_url($post_id, $prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    $url = $body['data'][0]['url'];
    $tmp = download_url($url);
    $id = media_handle_sideload(['name' => 'igp.png', 'tmp_name' => $tmp], $post_id);
    // ok: code-ideogram-url-not-persisted-php
    wp_send_json_success(['url' => wp_get_attachment_url($id)]);
}

function ok_seed($post_id, $prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    // ok: code-ideogram-url-not-persisted-php
    update_post_meta($post_id, '_igp_seed', $body['data'][0]['seed']);
}

function ok_other_vendor($post_id, $body) {
    // ok: code-ideogram-url-not-persisted-php
    update_post_meta($post_id, '_dalle_url', $body['data'][0]['url']);
}

class OkController
{
    public function store($request)
    {
        $res = Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->timeout(90)->post(IGP_URL, ['prompt' => $request->prompt]);
        $data = $res->json();
        $url = $data['data'][0]['url'];
        $bytes = Http::timeout(60)->get($url)->body();
        $path = 'ideogram/' . uniqid() . '.png';
        \Storage::disk('s3')->put($path, $bytes);
        // ok: code-ideogram-url-not-persisted-php
        Generation::create(['prompt' => $request->prompt, 'path' => $path]);
    }

    private function firstUrl($prompt)
    {
        $res = Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->timeout(90)->post(IGP_URL, ['prompt' => $prompt]);
        // a private helper: its caller in this class decides
        // ok: code-ideogram-url-not-persisted-php
        return $res->json()['data'][0]['url'];
    }

    public function count($prompt)
    {
        $res = Http::withHeaders(['Api-Key' => config('services.ideogram.key')])->timeout(90)->post(IGP_URL, ['prompt' => $prompt]);
        // ok: code-ideogram-url-not-persisted-php
        return count($res->json()['data']);
    }
}

function ok_file_get_contents($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    $url = $body['data'][0]['url'];
    $png = file_get_contents($url);
    $upload = wp_upload_bits('igp.png', null, $png);
    // ok: code-ideogram-url-not-persisted-php
    update_option('igp_last', $upload['url']);
}

// ---- issue 13: handed out by a function, kept on the object; private helpers and closures leave it to their caller

function igp_generate_url($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    // ruleid: code-ideogram-url-not-persisted-php
    return array_column($body['data'], 'url');
}

class Igp_Job
{
    public $image_url;

    public function run($prompt)
    {
        $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
        $body = json_decode(wp_remote_retrieve_body($res), true);
        // ruleid: code-ideogram-url-not-persisted-php
        $this->image_url = $body['data'][0]['url'];
    }

    private function first_url($prompt)
    {
        $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
        $body = json_decode(wp_remote_retrieve_body($res), true);
        // a private helper: its caller here decides
        // ok: code-ideogram-url-not-persisted-php
        return $body['data'][0]['url'];
    }

    public function run_and_keep($post_id, $prompt)
    {
        $attachment_id = media_sideload_image($this->first_url($prompt), $post_id, $prompt, 'id');
        // ok: code-ideogram-url-not-persisted-php
        return wp_get_attachment_url($attachment_id);
    }
}

function igp_generate_seeds($prompt) {
    $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
    $body = json_decode(wp_remote_retrieve_body($res), true);
    // ok: code-ideogram-url-not-persisted-php
    return array_column($body['data'], 'seed');
}

function igp_generate_many($prompts, $post_id) {
    return array_map(function ($prompt) use ($post_id) {
        $res = wp_remote_post(IGP_URL, ['headers' => ['Api-Key' => get_option('igp_api_key')], 'timeout' => 90, 'body' => $prompt]);
        $body = json_decode(wp_remote_retrieve_body($res), true);
        $id = media_sideload_image($body['data'][0]['url'], $post_id, $prompt, 'id');
        // ok: code-ideogram-url-not-persisted-php
        return wp_get_attachment_url($id);
    }, $prompts);
}
