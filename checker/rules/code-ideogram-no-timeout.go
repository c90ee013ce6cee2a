// Cases for code-ideogram-no-timeout (Go).
package ideogram

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"time"
)

const baseURL = "https://api.ideogram.ai"
const generatePath = "https://api.ideogram.ai/v1/ideogram-v3/generate"

type Client struct {
	apiKey string
	http   *http.Client
}

func NewClient(apiKey string) *Client {
	return &Client{apiKey: apiKey, http: http.DefaultClient}
}

func (c *Client) Generate(ctx context.Context, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, generatePath, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Api-Key", c.apiKey)
	// the caller's context may never be cancelled; the client has no Timeout (built in NewClient: the
	// rule cannot yet follow a struct field to its constructor)
	// todoruleid: code-ideogram-no-timeout-go
	return c.http.Do(req)
}

func GenerateDefault(body []byte) (*http.Response, error) {
	req, _ := http.NewRequest("POST", generatePath, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ruleid: code-ideogram-no-timeout-go
	return http.DefaultClient.Do(req)
}

func GenerateEmptyClient(body []byte) (*http.Response, error) {
	client := &http.Client{}
	req, _ := http.NewRequest(http.MethodPost, baseURL+"/v1/ideogram-v3/generate", bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ruleid: code-ideogram-no-timeout-go
	return client.Do(req)
}

func GenerateTransportOnly(body []byte, key string) (*http.Response, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 10}}
	req, _ := http.NewRequest(http.MethodPost, "https://api.example.com/proxy", bytes.NewReader(body))
	req.Header.Add("Api-Key", key)
	// ruleid: code-ideogram-no-timeout-go
	return client.Do(req)
}

func Describe(img []byte) (*http.Response, error) {
	// ruleid: code-ideogram-no-timeout-go
	return http.Post(os.Getenv("IDEOGRAM_BASE_URL")+"/describe", "multipart/form-data", bytes.NewReader(img))
}

func HandlerContext(w http.ResponseWriter, r *http.Request) {
	body, _ := json.Marshal(map[string]any{"prompt": r.FormValue("prompt")})
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, generatePath, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	client := http.DefaultClient
	// ruleid: code-ideogram-no-timeout-go
	resp, err := client.Do(req)
	if err != nil {
		http.Error(w, "upstream", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
}

func ValueClient(body []byte) (*http.Response, error) {
	c := http.Client{}
	req, _ := http.NewRequest(http.MethodPost, generatePath, bytes.NewReader(body))
	req.Header["Api-Key"] = []string{os.Getenv("IDEOGRAM_API_KEY")}
	// ruleid: code-ideogram-no-timeout-go
	return c.Do(req)
}

func Remix(body []byte) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodPost, "https://api.ideogram.ai/v1/ideogram-v3/remix", bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ruleid: code-ideogram-no-timeout-go
	return http.DefaultClient.Do(req)
}

func CancelOnly(body []byte) (*http.Response, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, generatePath, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// a cancel function is not a deadline
	// ruleid: code-ideogram-no-timeout-go
	return http.DefaultClient.Do(req)
}

// ---- ok

type TimedClient struct {
	apiKey string
	http   *http.Client
}

func NewTimedClient(apiKey string) *TimedClient {
	return &TimedClient{apiKey: apiKey, http: &http.Client{Timeout: 120 * time.Second}}
}

func (c *TimedClient) Generate(body []byte) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodPost, generatePath, bytes.NewReader(body))
	req.Header.Set("Api-Key", c.apiKey)
	// ok: code-ideogram-no-timeout-go
	return c.http.Do(req)
}

func OkClientTimeout(body []byte) (*http.Response, error) {
	client := &http.Client{Timeout: 90 * time.Second}
	req, _ := http.NewRequest(http.MethodPost, generatePath, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ok: code-ideogram-no-timeout-go
	return client.Do(req)
}

func OkContextTimeout(parent context.Context, body []byte) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(parent, 2*time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, generatePath, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ok: code-ideogram-no-timeout-go
	return http.DefaultClient.Do(req)
}

func OkDeadline(parent context.Context, body []byte) (*http.Response, error) {
	ctx, cancel := context.WithDeadline(parent, time.Now().Add(time.Minute))
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, generatePath, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ok: code-ideogram-no-timeout-go
	return http.DefaultClient.Do(req)
}

func OkTimeoutSetLater(body []byte) (*http.Response, error) {
	client := &http.Client{}
	client.Timeout = 2 * time.Minute
	req, _ := http.NewRequest(http.MethodPost, generatePath, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ok: code-ideogram-no-timeout-go
	return client.Do(req)
}

func OkOtherAPI(body []byte) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodPost, "https://api.openai.com/v1/images", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+os.Getenv("OPENAI_API_KEY"))
	// ok: code-ideogram-no-timeout-go
	return http.DefaultClient.Do(req)
}

func OkUnknownClient(hc *http.Client, body []byte) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodPost, generatePath, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// a client we cannot see is not judged
	// ok: code-ideogram-no-timeout-go
	return hc.Do(req)
}

func OkDownloadWithTimeout(url string) (*http.Response, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	// ok: code-ideogram-no-timeout-go
	return client.Get(url)
}
