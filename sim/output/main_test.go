package output

import (
	"testing"

	"go.uber.org/goleak"
)

// The package starts no goroutines; the VTK test starts a process, whose pipe copiers must end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
