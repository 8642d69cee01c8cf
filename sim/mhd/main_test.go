package mhd

import (
	"testing"

	"go.uber.org/goleak"
)

// The sim driver runs ranks as goroutines; none may outlive a test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
