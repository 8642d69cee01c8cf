package output

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// maxCollection bounds the entries of a .pvd.
const maxCollection = 1 << 20

// CollectionEntry is one output step of a time series: its simulation time and its .pvti.
type CollectionEntry struct {
	Step int64
	Time float64
	File string // relative to the .pvd
}

// CollectionFile is the file name of a series' ParaView collection (without directory).
func CollectionFile(name string) string { return name + ".pvd" }

// UpdateCollection records the .pvti of step at simulation time t in <dir>/<name>.pvd, the
// file that makes ParaView show the series against simulation time rather than output index.
// Entries at or after step are dropped first: they belong to a run that has been rolled back
// and is recomputing them. Rank 0 calls it after WriteIndex. The file is replaced atomically.
func UpdateCollection(dir, name string, step int64, t float64) error {
	if err := checkBaseName(name); err != nil {
		return err
	}
	if step < 0 || math.IsNaN(t) || math.IsInf(t, 0) {
		return fmt.Errorf("output: invalid step %d or time %v", step, t)
	}
	path := filepath.Join(dir, CollectionFile(name))
	var entries []CollectionEntry
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("output: read %s: %w", path, err)
	default:
		if entries, err = ParseCollection(data); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	keep := entries[:0]
	for _, e := range entries {
		if e.Step < step {
			keep = append(keep, e)
		}
	}
	if len(keep) >= maxCollection {
		return fmt.Errorf("output: %s holds %d entries already", path, len(keep))
	}
	entries = append(keep, CollectionEntry{Step: step, Time: t, File: IndexFile(name, step)})
	return writeAtomic(path, func(f *os.File) error {
		bw := bufio.NewWriter(f)
		writeCollection(bw, entries)
		return bw.Flush()
	})
}

func writeCollection(w io.Writer, entries []CollectionEntry) {
	fmt.Fprintf(w, "<?xml version=\"1.0\"?>\n<!-- apollo-pvd version=%d -->\n", vtiVersion)
	fmt.Fprintf(w, "<VTKFile type=\"Collection\" version=\"0.1\" byte_order=\"LittleEndian\">\n  <Collection>\n")
	for _, e := range entries {
		// The step is in the file name, so ParaView sees only its own attributes.
		fmt.Fprintf(w, "    <DataSet timestep=\"%s\" group=\"\" part=\"0\" file=\"%s\"/>\n",
			strconv.FormatFloat(e.Time, 'g', -1, 64), e.File)
	}
	fmt.Fprintf(w, "  </Collection>\n</VTKFile>\n")
}

// stepOfIndexFile recovers the step from a name written by IndexFile.
func stepOfIndexFile(file string) (int64, error) {
	base, ok := strings.CutSuffix(file, ".pvti")
	u := strings.LastIndexByte(base, '_')
	if !ok || u < 1 {
		return 0, fmt.Errorf("file %q is not <name>_<step>.pvti", file)
	}
	step, err := strconv.ParseInt(base[u+1:], 10, 64)
	if err != nil || step < 0 {
		return 0, fmt.Errorf("file %q: no step number", file)
	}
	return step, nil
}

// ParseCollection decodes a .pvd written by UpdateCollection: steps increase, times are finite
// and files are plain .pvti names in the same directory.
func ParseCollection(data []byte) ([]CollectionEntry, error) {
	es, err := parseCollection(data)
	if err != nil {
		return nil, fmt.Errorf("output: parse pvd: %w", err)
	}
	return es, nil
}

func parseCollection(data []byte) ([]CollectionEntry, error) {
	if len(data) > maxIndexBytes*4 {
		return nil, fmt.Errorf("collection of %d bytes is too large", len(data))
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var (
		entries          []CollectionEntry
		sawVers, sawFile bool
		inColl           bool
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.Comment:
			if v, ok := strings.CutPrefix(strings.TrimSpace(string(t)), "apollo-pvd version="); ok {
				if v != strconv.Itoa(vtiVersion) {
					return nil, fmt.Errorf("apollo pvd version %q, want %d", v, vtiVersion)
				}
				sawVers = true
			}
		case xml.StartElement:
			a := attrs(t)
			switch t.Name.Local {
			case "VTKFile":
				if a["type"] != "Collection" {
					return nil, fmt.Errorf("VTKFile type %q, want Collection", a["type"])
				}
				sawFile = true
			case "Collection":
				inColl = sawFile
			case "DataSet":
				if !inColl {
					return nil, errors.New("DataSet outside Collection")
				}
				if len(entries) == maxCollection {
					return nil, fmt.Errorf("more than %d entries", maxCollection)
				}
				tm, err := strconv.ParseFloat(a["timestep"], 64)
				if err != nil || math.IsNaN(tm) || math.IsInf(tm, 0) {
					return nil, fmt.Errorf("invalid timestep %q", a["timestep"])
				}
				file := a["file"]
				if filepath.Base(file) != file || checkBaseName(file) != nil {
					return nil, fmt.Errorf("file %q is not a plain file name", file)
				}
				step, err := stepOfIndexFile(file)
				if err != nil {
					return nil, err
				}
				if n := len(entries); n > 0 && step <= entries[n-1].Step {
					return nil, fmt.Errorf("step %d after step %d", step, entries[n-1].Step)
				}
				entries = append(entries, CollectionEntry{Step: step, Time: tm, File: file})
			}
		}
	}
	if !sawVers || !sawFile {
		return nil, errors.New("not an apollo collection (no version comment or VTKFile)")
	}
	return entries, nil
}
