// Cases for code-ideogram-unsafe-unchecked (Go).
package ideogram

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"os"
)

const generateURL = "https://api.ideogram.ai/v1/ideogram-v3/generate"

var ErrBlocked = errors.New("image withheld by the safety filter")

type Image struct {
	URL         string `json:"url"`
	IsImageSafe bool   `json:"is_image_safe"`
}

type GenerateResponse struct {
	Data []Image `json:"data"`
}

type IdeogramClient struct {
	db *sql.DB
}

func (c *IdeogramClient) generate(ctx context.Context, prompt string) (*GenerateResponse, error) {
	return &GenerateResponse{}, nil
}

func (c *IdeogramClient) First(ctx context.Context, prompt string) (string, error) {
	out, err := c.generate(ctx, prompt)
	if err != nil {
		return "", err
	}
	// ruleid: code-ideogram-unsafe-unchecked-go
	return out.Data[0].URL, nil
}

func (c *IdeogramClient) All(ctx context.Context, prompt string) []string {
	out, _ := c.generate(ctx, prompt)
	var urls []string
	for _, img := range out.Data {
		// ruleid: code-ideogram-unsafe-unchecked-go
		urls = append(urls, img.URL)
	}
	return urls
}

func (c *IdeogramClient) Pick(ctx context.Context, prompt string) string {
	out, _ := c.generate(ctx, prompt)
	img := out.Data[0]
	// ruleid: code-ideogram-unsafe-unchecked-go
	return img.URL
}

func (c *IdeogramClient) Store(ctx context.Context, id string) error {
	out, _ := c.generate(ctx, "x")
	// ruleid: code-ideogram-unsafe-unchecked-go
	_, err := c.db.ExecContext(ctx, "UPDATE jobs SET src = $1 WHERE id = $2", out.Data[0].URL, id)
	return err
}

func Serve(c *IdeogramClient, w http.ResponseWriter, r *http.Request) {
	out, _ := c.generate(r.Context(), r.FormValue("prompt"))
	// ruleid: code-ideogram-unsafe-unchecked-go
	json.NewEncoder(w).Encode(map[string]string{"src": out.Data[0].URL})
}

func Raw(body []byte) (string, error) {
	req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	var out GenerateResponse
	json.NewDecoder(resp.Body).Decode(&out)
	// ruleid: code-ideogram-unsafe-unchecked-go
	return out.Data[0].URL, nil
}

func (c *IdeogramClient) CheckedAfter(ctx context.Context) (string, error) {
	out, _ := c.generate(ctx, "x")
	// the flag is read only after the URL was taken
	// ruleid: code-ideogram-unsafe-unchecked-go
	u := out.Data[0].URL
	if !out.Data[0].IsImageSafe {
		return "", ErrBlocked
	}
	return u, nil
}

func (c *IdeogramClient) OtherFlag(ctx context.Context) string {
	out, _ := c.generate(ctx, "x")
	for _, img := range out.Data {
		// ruleid: code-ideogram-unsafe-unchecked-go
		if img.URL != "" {
			// ruleid: code-ideogram-unsafe-unchecked-go
			return img.URL
		}
	}
	return ""
}

// ---- ok

func (c *IdeogramClient) OkGuard(ctx context.Context, prompt string) (string, error) {
	out, _ := c.generate(ctx, prompt)
	if !out.Data[0].IsImageSafe {
		return "", ErrBlocked
	}
	// ok: code-ideogram-unsafe-unchecked-go
	return out.Data[0].URL, nil
}

func (c *IdeogramClient) OkLoop(ctx context.Context, prompt string) []string {
	out, _ := c.generate(ctx, prompt)
	var urls []string
	for _, img := range out.Data {
		if !img.IsImageSafe {
			continue
		}
		// ok: code-ideogram-unsafe-unchecked-go
		urls = append(urls, img.URL)
	}
	return urls
}

func (c *IdeogramClient) OkInside(ctx context.Context, prompt string) string {
	out, _ := c.generate(ctx, prompt)
	img := out.Data[0]
	if img.IsImageSafe {
		// ok: code-ideogram-unsafe-unchecked-go
		return img.URL
	}
	return "/placeholder.png"
}

func (c *IdeogramClient) OkInsideIndex(ctx context.Context) string {
	out, _ := c.generate(ctx, "x")
	if out.Data[0].IsImageSafe {
		// ok: code-ideogram-unsafe-unchecked-go
		return out.Data[0].URL
	}
	return ""
}

func (c *IdeogramClient) OkEmptyOrBlocked(ctx context.Context) (string, error) {
	out, _ := c.generate(ctx, "x")
	if len(out.Data) == 0 || !out.Data[0].IsImageSafe {
		return "", ErrBlocked
	}
	// ok: code-ideogram-unsafe-unchecked-go
	return out.Data[0].URL, nil
}

type OpenAIImages struct {
	Data []struct{ URL string }
}

func OkOtherVendor(out OpenAIImages) string {
	// ok: code-ideogram-unsafe-unchecked-go
	return out.Data[0].URL
}

func (c *IdeogramClient) OkSeedOnly(ctx context.Context) int {
	out, _ := c.generate(ctx, "x")
	// ok: code-ideogram-unsafe-unchecked-go
	return len(out.Data)
}

func (c *IdeogramClient) OkAndCondition(ctx context.Context) string {
	out, _ := c.generate(ctx, "x")
	img := out.Data[0]
	if img.URL != "" && img.IsImageSafe {
		// ok: code-ideogram-unsafe-unchecked-go
		return img.URL
	}
	return ""
}
