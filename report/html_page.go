package report

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"
)

// The view's style and script live in files of their own, to be read and edited as CSS and
// JavaScript, and are copied into every page: a page must work offline, from a file, years
// later, so it loads nothing.
var (
	//go:embed html/view.css
	viewCSS string
	//go:embed html/view.js
	viewJS string
)

// pageErrorCatcher runs before the view's own script and puts every error the page meets into
// #errors and #status, where a reader sees it and a headless browser's --dump-dom shows it.
const pageErrorCatcher = `(function () {
  var list = document.getElementById('errors'), status = document.getElementById('status');
  function record(msg) {
    var li = document.createElement('li');
    li.className = 'error';
    li.textContent = String(msg);
    list.appendChild(li);
    status.setAttribute('data-state', 'error');
    status.setAttribute('data-errors', String(list.children.length));
  }
  window.addEventListener('error', function (e) {
    record((e.message || 'error') + (e.filename ? ' at ' + e.filename + ':' + e.lineno + ':' + e.colno : ''));
  });
  window.addEventListener('unhandledrejection', function (e) { record('unhandled rejection: ' + e.reason); });
  var consoleError = console.error;
  console.error = function () {
    record(Array.prototype.join.call(arguments, ' '));
    return consoleError.apply(console, arguments);
  };
})();`

// writeHTMLPage writes a whole page: the view with data, marshalled to JSON, embedded in it.
func writeHTMLPage(w io.Writer, title string, data any) error {
	js, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("html view: encode data: %w", err)
	}
	// encoding/json already writes '<' as \u003c, so "</script>" cannot end the element
	// early; this makes sure of it should that ever change (JSON allows "<\/").
	js = []byte(strings.ReplaceAll(string(js), "</", `<\/`))
	if strings.Contains(viewJS, "</script") || strings.Contains(viewCSS, "</style") {
		return fmt.Errorf("html view: the embedded script or style would end its element early")
	}
	t := html.EscapeString(title)
	var b strings.Builder
	b.Grow(len(js) + len(viewJS) + len(viewCSS) + 2048)
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<title>" + t + "</title>\n<style>\n" + viewCSS + "</style>\n</head>\n<body>\n")
	b.WriteString("<header><h1>" + t + "</h1><div id=\"legend\"></div>")
	b.WriteString("<div id=\"status\" data-state=\"loading\" data-errors=\"0\">loading…</div><ul id=\"errors\"></ul></header>\n")
	b.WriteString("<noscript><p>This page draws the address space with JavaScript: allow scripts to see it.</p></noscript>\n")
	b.WriteString("<main id=\"app\"></main>\n<div id=\"tip\" hidden></div>\n")
	b.WriteString("<script>\n" + pageErrorCatcher + "\n</script>\n")
	b.WriteString("<script type=\"application/json\" id=\"mmtrace-data\">")
	b.Write(js)
	b.WriteString("</script>\n<script>\n" + viewJS + "</script>\n</body>\n</html>\n")
	_, err = io.WriteString(w, b.String())
	return err
}
