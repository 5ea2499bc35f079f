package procmaps

import (
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A maps text as the kernel writes it when a region merges with the next between two of its
// buffers: the merged region comes again after the part of it written before.
const (
	stillMaps = "00400000-00401000 r--p 00000000 00:00 0 \n" +
		"00401000-00405000 rw-p 00000000 00:00 0 \n" +
		"00500000-00501000 r--p 00000000 00:00 0 \n"
	movedMaps = "00400000-00401000 r--p 00000000 00:00 0 \n" +
		"00401000-00402000 rw-p 00000000 00:00 0 \n" +
		"00401000-00405000 rw-p 00000000 00:00 0 \n" +
		"00500000-00501000 r--p 00000000 00:00 0 \n"
	brokenMaps = "00400000-00401000 r--p 00000000 00:00 0 \n" + "not a region\n"
)

func TestReadStill(t *testing.T) {
	for _, tc := range []struct {
		name      string
		texts     []string // what each open reads; the last one again for the opens after
		wantOpens int
		wantLen   int
		wantErr   string
	}{
		{"still", []string{stillMaps}, 1, 3, ""},
		{"moved twice", []string{movedMaps, movedMaps, stillMaps}, 3, 3, ""},
		{"always moving", []string{movedMaps}, stillReadTries, 0, "its mappings changed during each of 20 reads: line 3: region overlaps"},
		{"malformed, not read again", []string{brokenMaps, stillMaps}, 1, 0, "line 2: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opens := 0
			open := func() (io.ReadCloser, error) {
				text := tc.texts[min(opens, len(tc.texts)-1)]
				opens++
				return io.NopCloser(strings.NewReader(text)), nil
			}
			rs, err := readStill(open, ParseMaps)
			if opens != tc.wantOpens {
				t.Errorf("opened %d times, want %d", opens, tc.wantOpens)
			}
			if len(rs) != tc.wantLen {
				t.Errorf("%d regions, want %d", len(rs), tc.wantLen)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("error %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error %v, want one with %q", err, tc.wantErr)
			}
			var pe *ParseError
			if tc.wantErr != "" && !errors.As(err, &pe) {
				t.Errorf("error %v does not wrap the ParseError", err)
			}
		})
	}
}

// TestReadStillLive reads this process's maps and smaps while a goroutine splits and merges
// hundreds of regions as fast as it can: about a third of single reads of smaps come out
// with a merged region written twice, and every Proc read must still succeed, in order.
func TestReadStillLive(t *testing.T) {
	const spots, page = 300, 4096
	mem, err := unix.Mmap(-1, 0, spots*8*page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(mem)
	base := uintptr(unsafe.Pointer(&mem[0]))
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			prot := uintptr(unix.PROT_READ)
			if i%2 == 1 {
				prot |= unix.PROT_WRITE
			}
			for j := range uintptr(spots) {
				// The page in the middle of each spot: read-only, it splits its region in
				// three; read-write again, the three merge.
				unix.Syscall(unix.SYS_MPROTECT, base+j*8*page+page, page, prot)
			}
		}
	})
	defer wg.Wait()
	defer close(done)
	proc := NewProc(os.Getpid())
	for i := 0; i < 100; i++ {
		for _, read := range []func() (Regions, error){proc.Smaps, proc.Maps} {
			rs, err := read()
			if err != nil {
				t.Fatalf("read %d: %v", i, err)
			}
			for k := 1; k < len(rs); k++ {
				if rs[k].Start < rs[k-1].End {
					t.Fatalf("read %d: region %d (%#x) overlaps the one before it", i, k, rs[k].Start)
				}
			}
		}
	}
}
