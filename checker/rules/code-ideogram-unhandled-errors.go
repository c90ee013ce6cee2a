// Cases for code-ideogram-unhandled-errors (Go).
package ideogram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
)

const generateURL = "https://api.ideogram.ai/v1/ideogram-v3/generate"

var ErrRateLimited = errors.New("ideogram: rate limited")

type Client struct {
	apiKey string
	http   *http.Client
}

type Result struct {
	Data []struct {
		URL string `json:"url"`
	} `json:"data"`
}

func (c *Client) Generate(ctx context.Context, body []byte) (*Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, generateURL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Api-Key", c.apiKey)
	// ruleid: code-ideogram-unhandled-errors-go
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out Result
	return &out, json.NewDecoder(resp.Body).Decode(&out)
}

func (c *Client) GenerateNotOK(body []byte) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	req.Header.Set("Api-Key", c.apiKey)
	// ruleid: code-ideogram-unhandled-errors-go
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ideogram: %s", resp.Status)
	}
	return io.ReadAll(resp.Body)
}

func GenerateRange(body []byte) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ruleid: code-ideogram-unhandled-errors-go
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return nil, errors.New("ideogram request failed")
	}
	return io.ReadAll(resp.Body)
}

func GenerateSwallow(body []byte) []byte {
	req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ruleid: code-ideogram-unhandled-errors-go
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Println("ideogram:", err)
		return nil
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return data
}

func GenerateIgnoreErr(body []byte) []byte {
	req, _ := http.NewRequest(http.MethodPost, "https://api.ideogram.ai/v1/ideogram-v3/remix", bytes.NewReader(body))
	req.Header.Add("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ruleid: code-ideogram-unhandled-errors-go
	resp, _ := http.DefaultClient.Do(req)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return data
}

func Handler(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, generateURL, r.Body)
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ruleid: code-ideogram-unhandled-errors-go
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, "generation failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

func GenerateClassOnly(body []byte) error {
	req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ruleid: code-ideogram-unhandled-errors-go
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("ideogram status %d", resp.StatusCode)
	}
	return nil
}

func Describe(img []byte) error {
	var err error
	var resp *http.Response
	req, _ := http.NewRequest(http.MethodPost, "https://api.ideogram.ai/describe", bytes.NewReader(img))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ruleid: code-ideogram-unhandled-errors-go
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// ---- ok

func OkSwitch(body []byte) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ok: code-ideogram-unhandled-errors-go
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return io.ReadAll(resp.Body)
	case http.StatusTooManyRequests:
		return nil, ErrRateLimited
	case http.StatusUnprocessableEntity:
		return nil, errors.New("prompt rejected by the safety check")
	default:
		return nil, fmt.Errorf("ideogram status %d", resp.StatusCode)
	}
}

func OkIf(body []byte) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ok: code-ideogram-unhandled-errors-go
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests {
		return nil, ErrRateLimited
	}
	return io.ReadAll(resp.Body)
}

func OkHelper(body []byte) error {
	req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ok: code-ideogram-unhandled-errors-go
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return classify(resp)
}

func OkHelperIf(body []byte) error {
	req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ok: code-ideogram-unhandled-errors-go
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	if err := classify(resp); err != nil {
		return err
	}
	return nil
}

func classify(resp *http.Response) error {
	switch resp.StatusCode {
	case 401, 403:
		return errors.New("bad key")
	case 402:
		return errors.New("out of credits")
	}
	return nil
}

func (c *Client) OkDoRaw(req *http.Request) (*http.Response, error) {
	req.Header.Set("Api-Key", c.apiKey)
	// the caller reads the status
	// ok: code-ideogram-unhandled-errors-go
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

func OkOtherAPI(body []byte) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodPost, "https://api.openai.com/v1/images/generations", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+os.Getenv("OPENAI_API_KEY"))
	// ok: code-ideogram-unhandled-errors-go
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(resp.Body)
}

func OkDownload(url string) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	// ok: code-ideogram-unhandled-errors-go
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(resp.Body)
}

func OkOrCodes(body []byte) error {
	req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	// ok: code-ideogram-unhandled-errors-go
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	if resp.StatusCode == 401 || resp.StatusCode == 403 {
		return errors.New("ideogram key rejected")
	}
	return nil
}
