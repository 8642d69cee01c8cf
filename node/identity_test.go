package node

import (
	"reflect"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDetectIdentity(t *testing.T) {
	cases := []struct {
		flag, host string
		env        map[string]string
		name, src  string
		idx        int
		ctl        string
	}{
		{"n7", "h", map[string]string{"SLURM_PROCID": "3"}, "n7", "flag", -1, ""},
		{"", "h", map[string]string{"SLURM_PROCID": "3", "SLURM_JOB_NODELIST": "c[01-04]"}, "slurm-3", "slurm", 3, "c01"},
		{"", "h", map[string]string{"OMPI_COMM_WORLD_RANK": "2"}, "mpi-2", "openmpi", 2, ""},
		{"", "apollo-node-5", nil, "apollo-node-5", "statefulset", 5, ""},
		{"", "laptop", nil, "laptop", "hostname", -1, ""},
	}
	for _, c := range cases {
		id, err := DetectIdentity(c.flag, env(c.env), c.host)
		if err != nil {
			t.Fatal(err)
		}
		if id.Name != c.name || id.Source != c.src || id.Index != c.idx || id.ControllerHost != c.ctl {
			t.Errorf("%+v: got %+v", c, id)
		}
	}
	if _, err := DetectIdentity("", env(map[string]string{"SLURM_PROCID": "x"}), "h"); err == nil {
		t.Error("bad SLURM_PROCID accepted")
	}
}

func TestExpandNodeList(t *testing.T) {
	got, err := ExpandNodeList("n[01-03,7],gpu1,r[1-2]x[5-6]")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"n01", "n02", "n03", "n7", "gpu1", "r1x5", "r1x6", "r2x5", "r2x6"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
	for _, bad := range []string{"n[1-", "n]", "n[3-1]", "n[a]", "a,,b", "n[0-99999999]"} {
		if _, err := ExpandNodeList(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzExpandNodeList(f *testing.F) {
	for _, s := range []string{"n[01-03,7],gpu1", "a", "x[1-2]y[3-4]", "[", "n[0-9999]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hosts, err := ExpandNodeList(s)
		if err == nil && len(hosts) > maxNodeList {
			t.Fatalf("%d hosts", len(hosts))
		}
	})
}
