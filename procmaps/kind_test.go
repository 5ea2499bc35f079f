package procmaps

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func readFixture(t *testing.T, name string, parse func(r *strings.Reader) (Regions, error)) Regions {
	t.Helper()
	text, err := os.ReadFile(fixtures + name)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := parse(strings.NewReader(string(text)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rs
}

func parseMapsString(r *strings.Reader) (Regions, error)  { return ParseMaps(r) }
func parseSmapsString(r *strings.Reader) (Regions, error) { return ParseSmaps(r) }

// Every region of tricky.maps, by name, with the kind and role it must get.
var trickyWant = map[string]struct {
	kind Kind
	role Role
}{
	"/usr/bin/tricky":              {FilePrivate, RoleFile},
	"[heap]":                       {AnonPrivate, RoleHeap},
	"/memfd:huge buf":              {FileShared, RoleMemfd},
	"/SYSV0000abcd":                {AnonShared, RoleSysVShm},
	"/anon_hugepage":               {AnonPrivate, RoleHugetlb},
	"/dev/dri/card0":               {FileShared, RoleDevice},
	"/dev/shm/gone":                {FileShared, RolePOSIXShm},
	"/dev/shm/ring":                {FileShared, RolePOSIXShm},
	"/tmp/dir with spaces/  two  ": {FilePrivate, RoleFile},
	"/tmp/line\nbreak":             {FilePrivate, RoleFile},
	"/tmp/中文.so":                   {FilePrivate, RoleFile},
	"[anon_shmem:ipc ring]":        {AnonShared, RoleAnon},
	"/dev/zero":                    {AnonPrivate, RoleAnon}, // both: shared is deleted, private is not
	"[anon:libc_malloc]":           {AnonPrivate, RoleAnon},
	"":                             {AnonPrivate, RoleGuard},
	"[stack:4321]":                 {AnonPrivate, RoleStack},
	"anon_inode:[perf_event]":      {FileShared, RoleAnonInode},
	"/tmp/victim (deleted)":        {FilePrivate, RoleDeleted},
	"[uprobes]":                    {AnonPrivate, RoleSpecial},
	"[vvar]":                       {AnonPrivate, RoleVVar},
	"[vdso]":                       {AnonPrivate, RoleVDSO},
	"/var/lib/data.db":             {FileShared, RoleFile},
	"[stack]":                      {AnonPrivate, RoleStack},
	"[vsyscall]":                   {AnonPrivate, RoleVsyscall},
}

func TestClassifyTricky(t *testing.T) {
	// smaps, because hugetlb and memfd on hugetlbfs are told apart by their page size.
	rs := readFixture(t, "tricky.smaps", parseSmapsString)
	shmem, ok := InferShmemDevice(rs)
	if !ok || shmem != (Dev{0, 1}) {
		t.Fatalf("InferShmemDevice = %v, %v; want 00:01 from /dev/zero (deleted)", shmem, ok)
	}
	rs.Classify(shmem)
	for _, r := range rs {
		want, ok := trickyWant[r.Name]
		if r.Name == "/dev/zero" && r.Deleted {
			want, ok = trickyWant["[anon_shmem:ipc ring]"]
		}
		if !ok {
			t.Errorf("no expectation for %q", r.Name)
			continue
		}
		if r.Kind != want.kind || r.Role != want.role {
			t.Errorf("%q %s %s: got %s/%s, want %s/%s", r.DisplayName(), r.Perms, r.Dev, r.Kind, r.Role, want.kind, want.role)
		}
	}
	if r, _ := rs.Find(0x7f1000200000); r == nil {
		t.Fatal("no SysV region")
	} else if id, ok := r.ShmID(); !ok || id != 32769 {
		t.Errorf("ShmID = %d, %v; want 32769", id, ok)
	}
}

// The device decides: a file with a shmem-like name on a real disk is a file, and an
// unknown device leaves shared anonymous memory unrecognized rather than guessed.
func TestClassifyNeedsDevice(t *testing.T) {
	tests := []struct {
		line  string
		shmem Dev
		kind  Kind
		role  Role
	}{
		{"7f0000000000-7f0000001000 rw-s 00000000 00:01 5 /dev/zero (deleted)", Dev{0, 1}, AnonShared, RoleAnon},
		{"7f0000000000-7f0000001000 rw-s 00000000 00:05 5 /dev/zero (deleted)", Dev{0, 5}, AnonShared, RoleAnon},
		{"7f0000000000-7f0000001000 rw-s 00000000 00:05 5 /dev/zero (deleted)", Dev{0, 1}, FileShared, RoleDeleted},
		{"7f0000000000-7f0000001000 rw-s 00000000 fe:00 5 /memfd:x (deleted)", Dev{0, 1}, FileShared, RoleDeleted},
		{"7f0000000000-7f0000001000 rw-s 00000000 fe:00 5 /SYSV00000000 (deleted)", Dev{0, 1}, FileShared, RoleDeleted},
		{"7f0000000000-7f0000001000 rw-s 00000000 00:01 5 /SYSV00000000 (deleted)", Dev{0, 1}, AnonShared, RoleSysVShm},
		{"7f0000000000-7f0000001000 rw-s 00000000 00:01 5 /SYSV0000000 (deleted)", Dev{0, 1}, AnonShared, RoleAnon},
		{"7f0000000000-7f0000001000 ---s 00000000 00:01 5 /memfd:x (deleted)", Dev{0, 1}, FileShared, RoleMemfd},
		{"7f0000000000-7f0000001000 ---p 00000000 fe:00 5 /lib/libc.so.6", Dev{0, 1}, FilePrivate, RoleGuard},
		{"7f0000000000-7f0000001000 rw-s 00000000 00:06 4 /dev/zero", Dev{0, 1}, FileShared, RoleDevice},
	}
	for _, tt := range tests {
		var r Region
		if msg := parseHeader([]byte(tt.line), &r, interner{}); msg != "" {
			t.Fatal(msg)
		}
		r.Classify(tt.shmem)
		if r.Kind != tt.kind || r.Role != tt.role {
			t.Errorf("%s with shmem %s: got %s/%s, want %s/%s", tt.line, tt.shmem, r.Kind, r.Role, tt.kind, tt.role)
		}
	}
}

func TestKindRoleNames(t *testing.T) {
	for _, k := range Kinds {
		got, err := ParseKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k, got, err)
		}
	}
	for _, r := range Roles() {
		got, err := ParseRole(r.String())
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %v, %v", r, got, err)
		}
	}
	if _, err := ParseKind("anon"); err == nil {
		t.Error("ParseKind(anon) did not fail")
	}
}

// The captured run of testdata/maps/kinds.c: kinds.out says what the program made where,
// kinds.smaps is its smaps at that moment. Classification must agree offline too, with the
// shmem device taken from the capture itself.
func TestClassifyCapturedKinds(t *testing.T) {
	rs := readFixture(t, "kinds.smaps", parseSmapsString)
	shmem, ok := InferShmemDevice(rs)
	if !ok {
		t.Fatal("no shmem device in kinds.smaps")
	}
	rs.Classify(shmem)
	out, err := os.ReadFile(fixtures + "kinds.out")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue // "ready"
		}
		var addr uint64
		if _, err := fmt.Sscanf(f[2], "0x%x", &addr); err != nil {
			t.Fatalf("kinds.out: %q: %v", line, err)
		}
		r, ok := rs.Find(addr)
		if !ok {
			t.Errorf("no region holds %#x (%s)", addr, line)
			continue
		}
		if r.Kind.String() != f[0] || r.Role.String() != f[1] {
			t.Errorf("%s: got %s %s for %q", line, r.Kind, r.Role, r.DisplayName())
		}
		checked++
	}
	if checked < 19 {
		t.Errorf("checked %d regions of kinds.out", checked)
	}
}
