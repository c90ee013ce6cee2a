package ideogram

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"

	"go.uber.org/zap"
)

const generateURL = "https://api.ideogram.ai/v1/ideogram-v3/generate"

type Config struct {
	IdeogramAPIKey string
	Model          string
}

type Client struct {
	apiKey string
	http   *http.Client
	logger *zap.Logger
}

func Banner() {
	// ruleid: code-ideogram-key-logged-go
	log.Printf("starting with Ideogram key %s", os.Getenv("IDEOGRAM_API_KEY"))
}

func Prefix() {
	key := os.Getenv("IDEOGRAM_API_KEY")
	// ruleid: code-ideogram-key-logged-go
	fmt.Println("ideogram key prefix:", key[:8])
}

func StructuredConfig(cfg Config) {
	// ruleid: code-ideogram-key-logged-go
	slog.Info("config loaded", "ideogram_key", cfg.IdeogramAPIKey, "model", cfg.Model)
}

func DumpHeaders(body []byte) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ruleid: code-ideogram-key-logged-go
	log.Printf("ideogram request headers: %v", req.Header)
	return http.DefaultClient.Do(req)
}

func (c *Client) debugRequest(req *http.Request) {
	req.Header.Set("Api-Key", c.apiKey)
	// ruleid: code-ideogram-key-logged-go
	c.logger.Debug("request", zap.Any("headers", req.Header))
}

func Stderr() {
	token, _ := os.LookupEnv("IDEOGRAM_API_TOKEN")
	// ruleid: code-ideogram-key-logged-go
	fmt.Fprintf(os.Stderr, "auth failed for token %q\n", token)
}

func Wrapped() {
	key := os.Getenv("IDEOGRAM_API_KEY")
	msg := fmt.Sprintf("key=%s", key)
	// ruleid: code-ideogram-key-logged-go
	log.Println(msg)
}

func Sugared(sugar *zap.SugaredLogger, cfg Config) {
	// ruleid: code-ideogram-key-logged-go
	sugar.Infow("ideogram client ready", "key", cfg.IdeogramAPIKey)
}

func OkLength() {
	key := os.Getenv("IDEOGRAM_API_KEY")
	// ok: code-ideogram-key-logged-go
	log.Printf("ideogram key loaded (%d chars)", len(key))
}

func OkPresence() {
	// ok: code-ideogram-key-logged-go
	log.Printf("ideogram key configured: %v", os.Getenv("IDEOGRAM_API_KEY") != "")
}

func OkFingerprint() {
	sum := sha256.Sum256([]byte(os.Getenv("IDEOGRAM_API_KEY")))
	// ok: code-ideogram-key-logged-go
	log.Printf("ideogram key fingerprint %x", sum[:6])
}

func OkMissing() {
	if os.Getenv("IDEOGRAM_API_KEY") == "" {
		// ok: code-ideogram-key-logged-go
		log.Fatal("IDEOGRAM_API_KEY is not set")
	}
}

func OkResponse(body []byte) error {
	req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	// ok: code-ideogram-key-logged-go
	log.Printf("ideogram answered %d", resp.StatusCode)
	return nil
}

func OkOtherEnv() {
	// ok: code-ideogram-key-logged-go
	log.Printf("model %s region %s", os.Getenv("IDEOGRAM_MODEL"), os.Getenv("AWS_REGION"))
}

func OkOtherSecret() {
	// ok: code-ideogram-key-logged-go
	log.Printf("openai %s", os.Getenv("OPENAI_API_KEY")[:3])
}

func OkMasked(cfg Config) {
	// ok: code-ideogram-key-logged-go
	log.Printf("key %s", redactKey(cfg.IdeogramAPIKey))
}

func redactKey(string) string { return "****" }

// ---- issue 13: a mask that keeps the first characters still prints a prefix of the key

func maskKey(k string) string {
	if len(k) < 12 {
		return "****"
	}
	return k[:4] + "..." + k[len(k)-4:]
}

func StartupMaskedPrefix(cfg Config) {
	// ruleid: code-ideogram-key-logged-go
	log.Printf("ideogram key %s", maskKey(cfg.IdeogramAPIKey))
}

func maskTail(k string) string {
	return "****" + k[len(k)-4:]
}

func OkLastFour(cfg Config) {
	// ok: code-ideogram-key-logged-go
	log.Printf("ideogram key %s", maskTail(cfg.IdeogramAPIKey))
}

// ---- issue 13: the result of a local function that makes the HTTP call is the response, not the key

type genResult struct{ Created string }

func callIdeogram(key, prompt string) (*genResult, error) {
	req, _ := http.NewRequest(http.MethodPost, "https://api.ideogram.ai/v1/ideogram-v3/generate", bytes.NewReader([]byte(prompt)))
	req.Header.Set("Api-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return &genResult{}, nil
}

func OkLocalCallResult(prompt string) {
	result, err := callIdeogram(os.Getenv("IDEOGRAM_API_KEY"), prompt)
	// ok: code-ideogram-key-logged-go
	log.Printf("generated %s err=%v", result.Created, err)
}

func withKey(key string) string { return "ideogram:" + key }

func LocalNonHTTPHelper() {
	// a local helper that makes no HTTP call passes the key on
	// ruleid: code-ideogram-key-logged-go
	log.Printf("client %s", withKey(os.Getenv("IDEOGRAM_API_KEY")))
}
