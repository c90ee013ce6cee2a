// Package worker renders queued prompts with Ideogram (the vulnerable example: every mistake on purpose).
package worker

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"log"
	"net/http"
	"os"
)

const generateURL = "https://api.ideogram.ai/v1/ideogram-v3/generate"

type Image struct {
	URL string `json:"url"`
}

type GenerateResponse struct {
	Data []Image `json:"data"`
}

type IdeogramWorker struct {
	db *sql.DB
}

// Render generates one image for a job and records its link.
func (w *IdeogramWorker) Render(ctx context.Context, jobID, prompt string) error {
	key := os.Getenv("IDEOGRAM_API_KEY")
	log.Printf("rendering job %s with key %s", jobID, key)
	body, _ := json.Marshal(map[string]any{"image_request": map[string]string{"prompt": prompt}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, generateURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+os.Getenv("IDEOGRAM_API_KEY"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out GenerateResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return err
	}
	_, err = w.db.ExecContext(ctx, "UPDATE jobs SET image_url = $1 WHERE id = $2", out.Data[0].URL, jobID)
	return err
}
