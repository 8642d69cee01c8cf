//go:build !linux

package checkpoint

import "testing"

func evict(b *testing.B, dir string) { b.Skip("page-cache eviction needs Linux") }
