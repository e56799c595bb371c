package auth

import (
	"context"
	"testing"
)

// BenchmarkAuthenticateCached measures the hot path: a token found in the
// cache. It should not allocate.
func BenchmarkAuthenticateCached(b *testing.B) {
	store := newFakeStore()
	a := NewAuthenticator(store)
	header := "Bearer " + store.add(b, Principal{Name: "bench", Role: RoleViewer})
	ctx := context.Background()
	if _, err := a.Authenticate(ctx, header); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := a.Authenticate(ctx, header); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func TestCachedAuthenticateDoesNotAllocate(t *testing.T) {
	store := newFakeStore()
	a := NewAuthenticator(store)
	header := "Bearer " + store.add(t, Principal{Name: "alloc", Role: RoleViewer})
	ctx := context.Background()
	if _, err := a.Authenticate(ctx, header); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() { _, _ = a.Authenticate(ctx, header) })
	if allocs != 0 {
		t.Errorf("cached Authenticate allocates %v times per call, want 0", allocs)
	}
}
