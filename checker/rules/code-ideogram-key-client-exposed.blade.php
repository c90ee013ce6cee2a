{{-- Cases for code-ideogram-key-client-exposed: Laravel Blade views printing the Ideogram key. --}}
<html>
<head>
<script>
<!-- ruleid: code-ideogram-key-client-exposed-blade -->
  window.IDEOGRAM_KEY = "{{ env('IDEOGRAM_API_KEY') }}";
<!-- ruleid: code-ideogram-key-client-exposed-blade -->
  const ideogram = { key: {!! json_encode(config('services.ideogram.key')) !!} };
<!-- ruleid: code-ideogram-key-client-exposed-blade -->
  const settings = @json(['apiKey' => config('services.ideogram.api_key'), 'model' => 'V_3']);
<!-- ok: code-ideogram-key-client-exposed-blade -->
  const endpoint = "{{ route('ideogram.generate') }}";
<!-- ok: code-ideogram-key-client-exposed-blade -->
  const csrf = "{{ csrf_token() }}";
</script>
</head>
<body>
<!-- ruleid: code-ideogram-key-client-exposed-blade -->
<div id="studio" data-key="{{ config('services.ideogram.key') }}"></div>
<!-- ok: code-ideogram-key-client-exposed-blade -->
<p>{{ config('services.ideogram.key') ? 'Ideogram is configured' : '' }}</p>
<!-- ok: code-ideogram-key-client-exposed-blade -->
<img src="{{ $image->stored_url }}" alt="{{ $image->prompt }}">
</body>
</html>
