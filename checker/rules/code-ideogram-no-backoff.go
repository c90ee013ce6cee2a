// Cases for code-ideogram-no-backoff (Go).
package ideogram

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/hashicorp/go-retryablehttp"
)

const generateURL = "https://api.ideogram.ai/v1/ideogram-v3/generate"

type Client struct {
	apiKey string
	http   *http.Client
}

func (c *Client) Generate(ctx context.Context, body []byte) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, generateURL, bytes.NewReader(body))
	req.Header.Set("Api-Key", c.apiKey)
	// ruleid: code-ideogram-no-backoff-go
	return c.http.Do(req)
}

func GenerateDefault(body []byte) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ruleid: code-ideogram-no-backoff-go
	return http.DefaultClient.Do(req)
}

func Remix(body []byte) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodPost, "https://api.ideogram.ai/v1/ideogram-v3/remix", bytes.NewReader(body))
	// ruleid: code-ideogram-no-backoff-go
	return http.DefaultClient.Do(req)
}

func HeaderOnly(url string, body []byte) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Add("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ruleid: code-ideogram-no-backoff-go
	return http.DefaultClient.Do(req)
}

func LoopWithoutSleep(body []byte) (resp *http.Response, err error) {
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
		req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
		// a hot loop hammers a rate-limited API
		// ruleid: code-ideogram-no-backoff-go
		resp, err = http.DefaultClient.Do(req)
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
	}
	return resp, err
}

func Handler(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, generateURL, r.Body)
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ruleid: code-ideogram-no-backoff-go
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, "failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
}

func Describe(img []byte, hc *http.Client) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodPost, "https://api.ideogram.ai/describe", bytes.NewReader(img))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ruleid: code-ideogram-no-backoff-go
	return hc.Do(req)
}

func Upscale(img []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, "https://api.ideogram.ai/upscale", bytes.NewReader(img))
	if err != nil {
		return nil, err
	}
	// ruleid: code-ideogram-no-backoff-go
	return http.DefaultClient.Do(req)
}

// ---- ok

func OkLoopSleep(body []byte) (resp *http.Response, err error) {
	delay := time.Second
	for attempt := 0; attempt < 5; attempt++ {
		req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
		req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
		// ok: code-ideogram-no-backoff-go
		resp, err = http.DefaultClient.Do(req)
		if err == nil && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
			return resp, nil
		}
		time.Sleep(delay)
		delay *= 2
	}
	return resp, err
}

func OkLoopSelect(ctx context.Context, body []byte) (resp *http.Response, err error) {
	for attempt := 0; attempt < 5; attempt++ {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, generateURL, bytes.NewReader(body))
		req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
		// ok: code-ideogram-no-backoff-go
		resp, err = http.DefaultClient.Do(req)
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		select {
		case <-time.After(time.Duration(attempt+1) * time.Second):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return resp, err
}

func OkBackoff(body []byte) (*http.Response, error) {
	var resp *http.Response
	err := backoff.Retry(func() error {
		req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
		req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
		var err error
		// ok: code-ideogram-no-backoff-go
		resp, err = http.DefaultClient.Do(req)
		return err
	}, backoff.NewExponentialBackOff())
	return resp, err
}

func OkRetryable(body []byte) (*http.Response, error) {
	client := retryablehttp.NewClient()
	client.RetryMax = 4
	req, _ := retryablehttp.NewRequest(http.MethodPost, generateURL, body)
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ok: code-ideogram-no-backoff-go
	return client.Do(req)
}

func OkOtherAPI(body []byte) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodPost, "https://api.openai.com/v1/images/generations", bytes.NewReader(body))
	// ok: code-ideogram-no-backoff-go
	return http.DefaultClient.Do(req)
}

func OkDownload(url string) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	// ok: code-ideogram-no-backoff-go
	return http.DefaultClient.Do(req)
}

func OkLoopSleepAfterCheck(body []byte) (*http.Response, error) {
	for {
		req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
		req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
		// ok: code-ideogram-no-backoff-go
		resp, err := http.DefaultClient.Do(req)
		if err == nil && resp.StatusCode != http.StatusTooManyRequests {
			return resp, nil
		}
		time.Sleep(2 * time.Second)
	}
}

func OkStatusGet(id string) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodGet, "https://example.com/jobs/"+id, nil)
	// ok: code-ideogram-no-backoff-go
	return http.DefaultClient.Do(req)
}
