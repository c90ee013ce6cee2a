// Cases for code-ideogram-key-client-exposed (Go): the key written into what the browser receives.
package web

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gofiber/fiber/v2"
	"github.com/labstack/echo/v4"
)

const ideogramURL = "https://api.ideogram.ai/v1/ideogram-v3/generate"

type Config struct {
	IdeogramAPIKey string
	Bucket         string
}

type Server struct {
	cfg  Config
	tmpl *template.Template
	http *http.Client
}

type pageData struct {
	Title    string
	APIKey   string
	ImageURL string
}

func configHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	// ruleid: code-ideogram-key-client-exposed-go
	json.NewEncoder(w).Encode(map[string]string{"ideogramKey": os.Getenv("IDEOGRAM_API_KEY")})
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	// the template puts {{.APIKey}} into a <script> so the page can call Ideogram itself
	// ruleid: code-ideogram-key-client-exposed-go
	s.tmpl.Execute(w, pageData{Title: "Studio", APIKey: s.cfg.IdeogramAPIKey})
}

func inlineScript(w http.ResponseWriter, r *http.Request) {
	key := os.Getenv("IDEOGRAM_API_KEY")
	w.Header().Set("Content-Type", "text/html")
	// ruleid: code-ideogram-key-client-exposed-go
	fmt.Fprintf(w, "<script>window.IDEOGRAM_KEY = %q;</script>", key)
}

func rawWrite(w http.ResponseWriter, r *http.Request) {
	key := os.Getenv("IDEOGRAM_API_KEY")
	// ruleid: code-ideogram-key-client-exposed-go
	w.Write([]byte("<script>const apiKey = '" + key + "';</script>"))
}

func (s *Server) ginConfig(c *gin.Context) {
	// ruleid: code-ideogram-key-client-exposed-go
	c.JSON(http.StatusOK, gin.H{"apiKey": s.cfg.IdeogramAPIKey, "model": "V_3"})
}

func ginPage(c *gin.Context) {
	key := os.Getenv("IDEOGRAM_API_KEY")
	// ruleid: code-ideogram-key-client-exposed-go
	c.HTML(http.StatusOK, "studio.tmpl", gin.H{"IdeogramKey": key})
}

func echoConfig(c echo.Context) error {
	// ruleid: code-ideogram-key-client-exposed-go
	return c.JSON(http.StatusOK, map[string]any{"key": os.Getenv("IDEOGRAM_API_KEY")})
}

func (s *Server) studio(w http.ResponseWriter, r *http.Request) {
	data := map[string]any{"Key": template.JS(s.cfg.IdeogramAPIKey), "Title": "Studio"}
	// ruleid: code-ideogram-key-client-exposed-go
	s.tmpl.ExecuteTemplate(w, "studio.html", data)
}

func jsSnippet(w http.ResponseWriter, r *http.Request) {
	key, _ := os.LookupEnv("IDEOGRAM_API_KEY")
	snippet := fmt.Sprintf("var IDEOGRAM_API_KEY = %q;", strings.TrimSpace(key))
	// ruleid: code-ideogram-key-client-exposed-go
	io.WriteString(w, snippet)
}

func fiberConfig(c *fiber.Ctx) error {
	// ruleid: code-ideogram-key-client-exposed-go
	return c.SendString("const key = '" + os.Getenv("IDEOGRAM_API_KEY") + "'")
}

// ---- the key stays on the server

type image struct {
	URL         string `json:"url"`
	IsImageSafe bool   `json:"is_image_safe"`
}

type generateResponse struct {
	Data []image `json:"data"`
}

func (s *Server) generate(w http.ResponseWriter, r *http.Request) {
	body := strings.NewReader(`{"image_request":{"prompt":"a fox"}}`)
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, ideogramURL, body)
	req.Header.Set("Api-Key", s.cfg.IdeogramAPIKey)
	resp, err := s.http.Do(req)
	if err != nil {
		http.Error(w, "upstream", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var out generateResponse
	json.NewDecoder(resp.Body).Decode(&out)
	// ok: code-ideogram-key-client-exposed-go
	json.NewEncoder(w).Encode(out)
}

func callIdeogram(key, prompt string) (*generateResponse, error) {
	req, _ := http.NewRequest(http.MethodPost, ideogramURL, strings.NewReader(prompt))
	req.Header.Set("Api-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out generateResponse
	return &out, json.NewDecoder(resp.Body).Decode(&out)
}

func ginGenerate(c *gin.Context) {
	result, err := callIdeogram(os.Getenv("IDEOGRAM_API_KEY"), c.PostForm("prompt"))
	if err != nil {
		c.JSON(http.StatusBadGateway, gin.H{"error": "generation failed"})
		return
	}
	// ok: code-ideogram-key-client-exposed-go
	c.JSON(http.StatusOK, result)
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	// ok: code-ideogram-key-client-exposed-go
	s.tmpl.Execute(w, pageData{Title: "Gallery", ImageURL: "/images/latest.png"})
}

func status(w http.ResponseWriter, r *http.Request) {
	key := os.Getenv("IDEOGRAM_API_KEY")
	// ok: code-ideogram-key-client-exposed-go
	json.NewEncoder(w).Encode(map[string]bool{"ideogramConfigured": key != ""})
}

func fingerprint(w http.ResponseWriter, r *http.Request) {
	key := os.Getenv("IDEOGRAM_API_KEY")
	// ok: code-ideogram-key-client-exposed-go
	fmt.Fprintf(w, "key fingerprint %x\n", sha256.Sum256([]byte(key)))
}

func startup(w http.ResponseWriter, r *http.Request) {
	key := os.Getenv("IDEOGRAM_API_KEY")
	// ok: code-ideogram-key-client-exposed-go
	fmt.Fprintf(os.Stderr, "ideogram key set: %t\n", len(key) > 0)
	// ok: code-ideogram-key-client-exposed-go
	fmt.Fprintf(w, "ready")
}

func mapsConfig(w http.ResponseWriter, r *http.Request) {
	// a browser key made for the browser (referrer-restricted), not the Ideogram key
	// ok: code-ideogram-key-client-exposed-go
	json.NewEncoder(w).Encode(map[string]string{"mapsKey": os.Getenv("GOOGLE_MAPS_BROWSER_KEY")})
}

func proxy(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, ideogramURL, r.Body)
	req.Header.Set("Api-Key", os.Getenv("IDEOGRAM_API_KEY"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, "upstream", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	// ok: code-ideogram-key-client-exposed-go
	io.Copy(w, resp.Body)
}

func logOnly(c *gin.Context) {
	key := os.Getenv("IDEOGRAM_API_KEY")
	log.Printf("ideogram key length %d", len(key))
	// ok: code-ideogram-key-client-exposed-go
	c.String(http.StatusOK, "configured=%v", key != "")
}
