// Cases for code-ideogram-url-not-persisted (Go): a CLI that only prints the signed links (the bytes are never fetched).
package main

import (
	"bytes"
	"encoding/json"
	"log"
	"net/http"
	"os"
)

const ideogramURL = "https://api.ideogram.ai/v1/ideogram-v3/generate"

type image struct {
	URL  string `json:"url"`
	Seed int    `json:"seed"`
}

func main() {
	req, _ := http.NewRequest(http.MethodPost, ideogramURL, bytes.NewReader([]byte(`{"image_request":{"prompt":"a fox"}}`)))
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Data []image }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		log.Fatal(err)
	}
	for _, img := range out.Data {
		// ruleid: code-ideogram-url-not-persisted-go
		log.Printf("image ready: %s", img.URL)
		// ok: code-ideogram-url-not-persisted-go
		log.Printf("seed %d", img.Seed)
	}
}
