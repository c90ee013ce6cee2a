<?php
/**
 * Cases for code-ideogram-key-client-exposed (PHP): WordPress plugins and Laravel apps handing the key to the page.
 */

const IGP_IDEOGRAM_URL = 'https://api.ideogram.ai/v1/ideogram-v3/generate';

function igp_enqueue_studio() {
    wp_enqueue_script('igp-studio', plugins_url('studio.js', __FILE__), ['jquery'], '1.2.0', true);
    // ruleid: code-ideogram-key-client-exposed-php
    wp_localize_script('igp-studio', 'igpStudio', [
        'ajaxUrl' => admin_url('admin-ajax.php'),
        'apiKey'  => get_option('igp_ideogram_api_key'),
    ]);
}

function igp_inline_config() {
    $key = get_option('igp_ideogram_api_key', '');
    // ruleid: code-ideogram-key-client-exposed-php
    wp_add_inline_script('igp-studio', 'window.IGP_KEY = ' . wp_json_encode($key) . ';', 'before');
}

function igp_footer_script() {
    $key = getenv('IDEOGRAM_API_KEY');
    // ruleid: code-ideogram-key-client-exposed-php
    echo '<script>var ideogramKey = "' . esc_js($key) . '";</script>';
}

function igp_ajax_config() {
    check_ajax_referer('igp');
    // ruleid: code-ideogram-key-client-exposed-php
    wp_send_json_success(['key' => get_option('igp_ideogram_api_key')]);
}

class StudioController
{
    public function config()
    {
        // ruleid: code-ideogram-key-client-exposed-php
        return response()->json(['ideogram_key' => config('services.ideogram.key')]);
    }

    public function show()
    {
        // ruleid: code-ideogram-key-client-exposed-php
        return view('studio', ['apiKey' => env('IDEOGRAM_API_KEY')]);
    }

    public function inertia()
    {
        // ruleid: code-ideogram-key-client-exposed-php
        return Inertia::render('Studio', ['ideogramKey' => config('services.ideogram.api_key')]);
    }
}

function igp_print_settings_script() {
    $settings = sprintf('{"key":"%s","model":"V_3"}', $_ENV['IDEOGRAM_API_KEY']);
    // ruleid: code-ideogram-key-client-exposed-php
    printf('<script>window.igpSettings = %s;</script>', $settings);
}

class Igp_Admin
{
    private $ideogram_api_key;

    public function render_page()
    {
        // ruleid: code-ideogram-key-client-exposed-php
        echo '<div id="igp-app" data-key="' . esc_attr($this->ideogram_api_key) . '"></div>';
    }
}

// ---- the key stays on the server

function igp_ajax_generate() {
    check_ajax_referer('igp');
    $res = wp_remote_post(IGP_IDEOGRAM_URL, [
        'headers' => ['Api-Key' => get_option('igp_ideogram_api_key'), 'Content-Type' => 'application/json'],
        'body'    => wp_json_encode(['image_request' => ['prompt' => sanitize_text_field($_POST['prompt'])]]),
        'timeout' => 90,
    ]);
    if (is_wp_error($res)) {
        wp_send_json_error(['message' => 'generation failed'], 502);
    }
    $body = json_decode(wp_remote_retrieve_body($res), true);
    // ok: code-ideogram-key-client-exposed-php
    wp_send_json_success(['images' => $body['data']]);
}

function igp_enqueue_safe() {
    // ok: code-ideogram-key-client-exposed-php
    wp_localize_script('igp-studio', 'igpStudio', [
        'ajaxUrl' => admin_url('admin-ajax.php'),
        'nonce'   => wp_create_nonce('igp'),
        'hasKey'  => get_option('igp_ideogram_api_key') !== '',
    ]);
}

function igp_call_ideogram($key, $prompt) {
    $res = wp_remote_post(IGP_IDEOGRAM_URL, ['headers' => ['Api-Key' => $key], 'body' => $prompt, 'timeout' => 90]);
    return json_decode(wp_remote_retrieve_body($res), true);
}

function igp_ajax_generate_helper() {
    $result = igp_call_ideogram(get_option('igp_ideogram_api_key'), $_POST['prompt']);
    // ok: code-ideogram-key-client-exposed-php
    wp_send_json_success($result);
}

class GalleryController
{
    public function generate(Request $request)
    {
        $res = Http::withHeaders(['Api-Key' => config('services.ideogram.key')])
            ->timeout(90)
            ->post(IGP_IDEOGRAM_URL, ['image_request' => ['prompt' => $request->input('prompt')]]);
        // ok: code-ideogram-key-client-exposed-php
        return response()->json(['created' => $res->json('created')]);
    }

    public function show()
    {
        // ok: code-ideogram-key-client-exposed-php
        return view('gallery', ['configured' => !empty(config('services.ideogram.key'))]);
    }
}

function igp_settings_field() {
    $key = get_option('igp_ideogram_api_key', '');
    // the settings form shows only the last four characters
    // ok: code-ideogram-key-client-exposed-php
    echo '<input type="password" name="igp_ideogram_api_key" placeholder="••••' . esc_attr(substr($key, -4)) . '">';
}

function igp_key_status() {
    // ok: code-ideogram-key-client-exposed-php
    echo get_option('igp_ideogram_api_key') ? 'Key saved' : 'No key yet';
}

function igp_maps_script() {
    // a browser key made for the browser, not the Ideogram key
    // ok: code-ideogram-key-client-exposed-php
    wp_localize_script('igp-map', 'igpMap', ['key' => get_option('igp_maps_browser_key')]);
}

function igp_style_option() {
    // ok: code-ideogram-key-client-exposed-php
    echo '<script>var igpStyle = "' . esc_js(get_option('igp_ideogram_style')) . '";</script>';
}
