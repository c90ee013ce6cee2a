// Cases for code-ideogram-url-not-persisted (Go).
package ideogram

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"
)

const generateURL = "https://api.ideogram.ai/v1/ideogram-v3/generate"

type Image struct {
	URL         string `json:"url"`
	IsImageSafe bool   `json:"is_image_safe"`
}

type GenerateResponse struct {
	Data []Image `json:"data"`
}

type IdeogramClient struct {
	apiKey string
	http   *http.Client
	db     *sql.DB
	rdb    *redis.Client
}

func (c *IdeogramClient) generate(ctx context.Context, prompt string) (*GenerateResponse, error) {
	return nil, nil
}

// GenerateURL hands the signed link to its callers.
func (c *IdeogramClient) GenerateURL(ctx context.Context, prompt string) (string, error) {
	out, err := c.generate(ctx, prompt)
	if err != nil {
		return "", err
	}
	// handed out by an exported function: the repository-level pass drops it when every caller persists it
	// ruleid: code-ideogram-url-not-persisted-go
	return out.Data[0].URL, nil
}

func (c *IdeogramClient) Store(ctx context.Context, jobID, prompt string) error {
	out, err := c.generate(ctx, prompt)
	if err != nil {
		return err
	}
	// ruleid: code-ideogram-url-not-persisted-go
	_, err = c.db.ExecContext(ctx, "UPDATE jobs SET image_url = $1 WHERE id = $2", out.Data[0].URL, jobID)
	return err
}

func (c *IdeogramClient) Cache(ctx context.Context, key, prompt string) error {
	out, _ := c.generate(ctx, prompt)
	for _, img := range out.Data {
		// ruleid: code-ideogram-url-not-persisted-go
		c.rdb.Set(ctx, key, img.URL, 0)
	}
	return nil
}

func (c *IdeogramClient) Handler(w http.ResponseWriter, r *http.Request) {
	out, err := c.generate(r.Context(), r.FormValue("prompt"))
	if err != nil {
		http.Error(w, "failed", http.StatusBadGateway)
		return
	}
	first := out.Data[0]
	// ruleid: code-ideogram-url-not-persisted-go
	json.NewEncoder(w).Encode(map[string]string{"url": first.URL})
}

func (c *IdeogramClient) GinHandler(ctx *gin.Context) {
	out, _ := c.generate(ctx, ctx.PostForm("prompt"))
	// ruleid: code-ideogram-url-not-persisted-go
	ctx.JSON(http.StatusOK, gin.H{"image": out.Data[0].URL})
}

var page = template.Must(template.New("p").Parse(`<img src="{{.}}">`))

func (c *IdeogramClient) Page(w http.ResponseWriter, r *http.Request) {
	out, _ := c.generate(r.Context(), "a cat")
	// ruleid: code-ideogram-url-not-persisted-go
	page.Execute(w, out.Data[0].URL)
}

func GenerateRaw(body []byte) (string, error) {
	req, _ := http.NewRequest(http.MethodPost, generateURL, bytes.NewReader(body))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out GenerateResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", err
	}
	// handed out by an exported function: the repository-level pass drops it when every caller persists it
	// ruleid: code-ideogram-url-not-persisted-go
	return out.Data[0].URL, nil
}

func SaveForUser(c *IdeogramClient, db *sql.DB, user string) error {
	out, _ := c.generate(context.Background(), "avatar")
	// ruleid: code-ideogram-url-not-persisted-go
	_, err := db.Exec("INSERT INTO avatars(user, url) VALUES(?, ?)", user, out.Data[0].URL)
	return err
}

func (c *IdeogramClient) Redirect(w http.ResponseWriter, r *http.Request) {
	out, _ := c.generate(r.Context(), "a dog")
	// ruleid: code-ideogram-url-not-persisted-go
	http.Redirect(w, r, out.Data[0].URL, http.StatusFound)
}

type Avatar struct {
	User string
	URL  string
}

func (c *IdeogramClient) SaveGorm(ctx context.Context, db interface{ Create(any) any }, user string) {
	out, _ := c.generate(ctx, "avatar of "+user)
	// ruleid: code-ideogram-url-not-persisted-go
	db.Create(&Avatar{User: user, URL: out.Data[0].URL})
}

// ---- ok

func (c *IdeogramClient) OkDownloadFirst(ctx context.Context, jobID, prompt string) error {
	out, err := c.generate(ctx, prompt)
	if err != nil {
		return err
	}
	url := out.Data[0].URL
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	key := fmt.Sprintf("images/%s.png", jobID)
	if err := putObject(ctx, key, data); err != nil {
		return err
	}
	// ok: code-ideogram-url-not-persisted-go
	_, err = c.db.ExecContext(ctx, "UPDATE jobs SET image_key = $1 WHERE id = $2", key, jobID)
	return err
}

func putObject(ctx context.Context, key string, data []byte) error { return nil }

func (c *IdeogramClient) OkMirror(ctx context.Context, prompt string) (string, error) {
	out, _ := c.generate(ctx, prompt)
	img := out.Data[0]
	stored, err := mirrorToBucket(ctx, img.URL)
	if err != nil {
		return "", err
	}
	// ok: code-ideogram-url-not-persisted-go
	return stored, nil
}

func mirrorToBucket(ctx context.Context, url string) (string, error) { return "", nil }

func (c *IdeogramClient) okPrivate(ctx context.Context, prompt string) (string, error) {
	out, _ := c.generate(ctx, prompt)
	// an unexported helper: its caller in this package decides
	// ok: code-ideogram-url-not-persisted-go
	return out.Data[0].URL, nil
}

func (c *IdeogramClient) OkSafeFlag(w http.ResponseWriter, r *http.Request) {
	out, _ := c.generate(r.Context(), "x")
	// ok: code-ideogram-url-not-persisted-go
	json.NewEncoder(w).Encode(map[string]bool{"safe": out.Data[0].IsImageSafe})
}

type OpenAIResponse struct {
	Data []struct{ URL string } `json:"data"`
}

func OkOtherVendor(db *sql.DB, out OpenAIResponse) error {
	// ok: code-ideogram-url-not-persisted-go
	_, err := db.Exec("INSERT INTO images(url) VALUES(?)", out.Data[0].URL)
	return err
}

func (c *IdeogramClient) OkCount(w http.ResponseWriter, r *http.Request) {
	out, _ := c.generate(r.Context(), "x")
	// ok: code-ideogram-url-not-persisted-go
	json.NewEncoder(w).Encode(map[string]int{"images": len(out.Data)})
}

func (c *IdeogramClient) OkDownloadLoop(ctx context.Context, prompt string) ([][]byte, error) {
	out, _ := c.generate(ctx, prompt)
	var all [][]byte
	for _, img := range out.Data {
		resp, err := http.Get(img.URL)
		if err != nil {
			return nil, err
		}
		b, _ := io.ReadAll(resp.Body)
		all = append(all, b)
	}
	// ok: code-ideogram-url-not-persisted-go
	return all, nil
}

func (c *IdeogramClient) OkStoreKey(ctx context.Context, jobID string) error {
	// ok: code-ideogram-url-not-persisted-go
	_, err := c.db.ExecContext(ctx, "UPDATE jobs SET status = 'done' WHERE id = $1", jobID)
	return err
}

// ---- issue 13: kept on the receiver, returned by exported code; private helpers and closures leave it to their caller

type IdeogramJob struct {
	client   *IdeogramClient
	ImageURL string
}

func (j *IdeogramJob) Run(ctx context.Context, prompt string) error {
	out, err := j.client.generate(ctx, prompt)
	if err != nil {
		return err
	}
	// ruleid: code-ideogram-url-not-persisted-go
	j.ImageURL = out.Data[0].URL
	return nil
}

func (c *IdeogramClient) AllURLs(ctx context.Context, prompt string) []string {
	out, _ := c.generate(ctx, prompt)
	urls := make([]string, 0, len(out.Data))
	for _, img := range out.Data {
		urls = append(urls, img.URL)
	}
	// ruleid: code-ideogram-url-not-persisted-go
	return urls
}

func (c *IdeogramClient) firstURL(ctx context.Context, prompt string) string {
	out, _ := c.generate(ctx, prompt)
	// a private helper: its caller here decides
	// ok: code-ideogram-url-not-persisted-go
	return out.Data[0].URL
}

func (c *IdeogramClient) GenerateStored(ctx context.Context, prompt string) (string, error) {
	url := c.firstURL(ctx, prompt)
	stored, err := c.mirrorImage(ctx, url)
	// ok: code-ideogram-url-not-persisted-go
	return stored, err
}

func (c *IdeogramClient) Seeds(ctx context.Context, prompt string) []int {
	out, _ := c.generate(ctx, prompt)
	seeds := []int{}
	for range out.Data {
		seeds = append(seeds, 0)
	}
	// ok: code-ideogram-url-not-persisted-go
	return seeds
}

func (c *IdeogramClient) GenerateAll(ctx context.Context, prompts []string) ([]string, error) {
	keys := make([]string, len(prompts))
	each := func(i int) error {
		out, err := c.generate(ctx, prompts[i])
		if err != nil {
			return err
		}
		stored, err := c.mirrorImage(ctx, out.Data[0].URL)
		keys[i] = stored
		// ok: code-ideogram-url-not-persisted-go
		return err
	}
	for i := range prompts {
		if err := each(i); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

func (c *IdeogramClient) mirrorImage(ctx context.Context, url string) (string, error) {
	return "", nil
}
