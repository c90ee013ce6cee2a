// Cases for code-ideogram-unsafe-unchecked (Go): a handler that proxies Ideogram's answer to the browser.
package web

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
)

const ideogramGenerate = "https://api.ideogram.ai/v1/ideogram-v3/generate"

func proxyGenerate(w http.ResponseWriter, r *http.Request) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, ideogramGenerate, r.Body)
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, "upstream", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", "application/json")
	// ruleid: code-ideogram-unsafe-unchecked-go-raw
	io.Copy(w, resp.Body)
}

type Server struct{ client *http.Client }

func (s *Server) generate(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequest(http.MethodPost, "https://api.ideogram.ai/v1/ideogram-v3/generate", r.Body)
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	resp, err := s.client.Do(req)
	if err != nil {
		http.Error(w, "upstream", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	// ruleid: code-ideogram-unsafe-unchecked-go-raw
	w.Write(body)
}

func (s *Server) generateFields(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequest(http.MethodPost, ideogramGenerate, r.Body)
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	resp, err := s.client.Do(req)
	if err != nil {
		http.Error(w, "upstream", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var out struct {
		Created string `json:"created"`
	}
	json.NewDecoder(resp.Body).Decode(&out)
	// ok: code-ideogram-unsafe-unchecked-go-raw
	json.NewEncoder(w).Encode(map[string]string{"created": out.Created})
}

func (s *Server) gallery(w http.ResponseWriter, r *http.Request) {
	resp, err := s.client.Get("https://storage.example.com/v1/images")
	if err != nil {
		http.Error(w, "storage", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	// our own storage answers with our own URLs
	// ok: code-ideogram-unsafe-unchecked-go-raw
	io.Copy(w, resp.Body)
}
