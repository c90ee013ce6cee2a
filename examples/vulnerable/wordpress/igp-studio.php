<?php
/**
 * Plugin Name: IGP Studio
 * Description: Generates featured images with Ideogram from the post editor.
 */

const IGP_GENERATE_URL = 'https://api.ideogram.ai/v1/ideogram-v3/generate';

function igp_enqueue_editor_script() {
    wp_enqueue_script('igp-studio', plugins_url('studio.js', __FILE__), ['wp-data'], '1.0.0', true);
    wp_localize_script('igp-studio', 'igpStudio', [
        'ajaxUrl' => admin_url('admin-ajax.php'),
        'nonce'   => wp_create_nonce('igp'),
        'apiKey'  => get_option('igp_ideogram_api_key'),
    ]);
}
add_action('enqueue_block_editor_assets', 'igp_enqueue_editor_script');

function igp_ajax_generate() {
    check_ajax_referer('igp');
    $res = wp_remote_post(IGP_GENERATE_URL, [
        'headers' => ['Api-Key' => get_option('igp_ideogram_api_key'), 'Content-Type' => 'application/json'],
        'body'    => wp_json_encode(['image_request' => ['prompt' => sanitize_text_field($_POST['prompt'])]]),
        'timeout' => 90,
    ]);
    wp_send_json_success(json_decode(wp_remote_retrieve_body($res), true));
}
add_action('wp_ajax_igp_generate', 'igp_ajax_generate');
