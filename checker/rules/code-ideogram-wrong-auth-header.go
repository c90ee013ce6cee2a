// Cases for code-ideogram-wrong-auth-header (Go).
package ideogram

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
)

const generateURL = "https://api.ideogram.ai/v1/ideogram-v3/generate"

type Config struct {
	IdeogramAPIKey string
	OpenAIKey      string
}

type Client struct {
	IdeogramKey string
	token       string
}

func BearerEnv(body []byte) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	// ruleid: code-ideogram-wrong-auth-header-go
	req.Header.Set("Authorization", "Bearer "+os.Getenv("IDEOGRAM_API_KEY"))
	return req, err
}

func BearerSprintf(cfg Config, body []byte) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, "https://example.com/proxy", bytes.NewReader(body))
	// ruleid: code-ideogram-wrong-auth-header-go
	req.Header.Set("Authorization", fmt.Sprintf("Bearer %s", cfg.IdeogramAPIKey))
	return req
}

func (c *Client) BearerField(req *http.Request) {
	// ruleid: code-ideogram-wrong-auth-header-go
	req.Header.Add("Authorization", "Bearer "+c.IdeogramKey)
}

func BearerMap(req *http.Request) {
	// ruleid: code-ideogram-wrong-auth-header-go
	req.Header["Authorization"] = []string{"Bearer " + os.Getenv("IDEOGRAM_TOKEN")}
}

func BearerAnyToken(c *Client, body []byte) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	// ruleid: code-ideogram-wrong-auth-header-go
	req.Header.Set("Authorization", "Bearer "+c.token)
	return req, err
}

func BearerWithContextURL(c *Client, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(nil, http.MethodPost, "https://api.ideogram.ai/describe", bytes.NewReader(body))
	// ruleid: code-ideogram-wrong-auth-header-go
	req.Header.Set("authorization", fmt.Sprintf("Bearer %s", c.token))
	return req, err
}

func BearerLowercase(req *http.Request) {
	// ruleid: code-ideogram-wrong-auth-header-go
	req.Header.Set("authorization", "bearer "+os.Getenv("IDEOGRAM_API_KEY"))
}

func BearerVar(body []byte) (*http.Request, error) {
	key := os.Getenv("IDEOGRAM_API_KEY")
	var req *http.Request
	var err error
	req, err = http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	// ruleid: code-ideogram-wrong-auth-header-go
	req.Header.Set("Authorization", "Bearer "+key)
	return req, err
}

// ---- ok

func OkApiKey(body []byte) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	// ok: code-ideogram-wrong-auth-header-go
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	return req, err
}

func OkOpenAI(cfg Config, body []byte) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, "https://api.openai.com/v1/images/generations", bytes.NewReader(body))
	// ok: code-ideogram-wrong-auth-header-go
	req.Header.Set("Authorization", "Bearer "+cfg.OpenAIKey)
	return req, err
}

func OkOwnBackend(token string, body []byte) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, "https://internal.example.com/images", bytes.NewReader(body))
	// ok: code-ideogram-wrong-auth-header-go
	req.Header.Set("Authorization", "Bearer "+token)
	return req, err
}

func OkContentType(body []byte) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	// ok: code-ideogram-wrong-auth-header-go
	req.Header.Set("Content-Type", "application/json")
	return req, err
}

func OkGithub(req *http.Request) {
	// ok: code-ideogram-wrong-auth-header-go
	req.Header.Set("Authorization", "Bearer "+os.Getenv("GITHUB_TOKEN"))
}

func OkIdeogramModel(req *http.Request) {
	// ok: code-ideogram-wrong-auth-header-go
	req.Header.Set("X-Model", os.Getenv("IDEOGRAM_MODEL"))
}

func OkBasic(req *http.Request) {
	// ok: code-ideogram-wrong-auth-header-go
	req.SetBasicAuth("user", os.Getenv("PROXY_PASSWORD"))
}

func OkApiKeyAdd(req *http.Request, c *Client) {
	// ok: code-ideogram-wrong-auth-header-go
	req.Header.Add("Api-Key", c.IdeogramKey)
}
