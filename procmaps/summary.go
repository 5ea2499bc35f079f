package procmaps

import (
	"cmp"
	"slices"
)

// Totals is the memory of a set of regions. Rss, Pss, Dirty and Swap are zero for regions
// without Usage.
type Totals struct {
	Regions int
	Size    uint64
	Rss     uint64
	Pss     uint64
	Dirty   uint64 // Shared_Dirty + Private_Dirty
	Swap    uint64
}

// Add counts one region.
func (t *Totals) Add(r *Region) {
	t.Regions++
	t.Size += r.Size()
	if u := r.Usage; u != nil {
		t.Rss += u.Rss
		t.Pss += u.Pss
		t.Dirty += u.Dirty()
		t.Swap += u.Swap
	}
}

// Summary is the two-by-two table of an address space: file or anonymous by shared or
// private, with the totals of each cell and of all regions.
type Summary struct {
	ByKind [len(Kinds)]Totals // indexed by Kind
	Total  Totals
}

// Summarize adds up regions by kind. Regions must be classified.
func Summarize(rs []Region) Summary {
	var s Summary
	for i := range rs {
		s.ByKind[rs[i].Kind].Add(&rs[i])
		s.Total.Add(&rs[i])
	}
	return s
}

// FileUsage is the memory one file takes over all the regions that map it.
type FileUsage struct {
	Name    string
	Deleted bool
	Dev     Dev
	Inode   uint64
	Totals
}

// TopFiles returns the n files (file-backed regions grouped by device, inode and name) that
// use the most memory: by Rss, or by size when there is no Usage; ties by name. n <= 0
// returns them all.
func TopFiles(rs []Region, n int) []FileUsage {
	type key struct {
		dev   Dev
		inode uint64
		name  string
	}
	index := map[key]int{}
	var files []FileUsage
	for i := range rs {
		r := &rs[i]
		if !r.Kind.File() {
			continue
		}
		k := key{r.Dev, r.Inode, r.Name}
		j, ok := index[k]
		if !ok {
			j = len(files)
			index[k] = j
			files = append(files, FileUsage{Name: r.Name, Deleted: r.Deleted, Dev: r.Dev, Inode: r.Inode})
		}
		files[j].Add(r)
	}
	byUsage := len(rs) > 0 && rs[0].Usage != nil
	slices.SortStableFunc(files, func(a, b FileUsage) int {
		if byUsage {
			if c := cmp.Compare(b.Rss, a.Rss); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(b.Size, a.Size); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	if n > 0 && len(files) > n {
		files = files[:n]
	}
	return files
}
