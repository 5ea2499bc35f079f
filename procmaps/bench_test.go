package procmaps

import (
	"bytes"
	"os"
	"testing"
)

func benchParse(b *testing.B, name string, parse func(*bytes.Reader) error) {
	text, err := os.ReadFile(fixtures + name)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if err := parse(bytes.NewReader(text)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseMaps(b *testing.B) {
	benchParse(b, "kinds.maps", func(r *bytes.Reader) error { _, err := ParseMaps(r); return err })
}

func BenchmarkParseSmaps(b *testing.B) {
	benchParse(b, "kinds.smaps", func(r *bytes.Reader) error { _, err := ParseSmaps(r); return err })
}
