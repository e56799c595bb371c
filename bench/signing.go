package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// signingRounds is how many times each binary is measured, alternately.
const signingRounds = 3

// signingBench measures what signed histories cost: recordMovement over
// HTTPS GraphQL on the node and on the same code built with the nosign tag
// (its writer signs no heads), alternately, each signingRounds times; and,
// in this process, the CPU a head's signature, its verification and an
// entry's digest take.
func signingBench(o options) error {
	unsigned, cleanup, err := buildUnsigned()
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Println("signing: recordMovement with and without signed heads, alternating binaries")
	var rates, cpus [2][]float64
	for round := range signingRounds {
		for i, bin := range []string{o.node, unsigned} {
			oo := o
			oo.node = bin
			fmt.Printf("round %d, %s\n", round+1, []string{"signed", "unsigned (nosign)"}[i])
			res, cpu, err := nodeLoadCPU(oo)
			if err != nil {
				return err
			}
			rates[i] = append(rates[i], res.rate())
			cpus[i] = append(cpus[i], float64(cpu.Microseconds()))
		}
	}
	rs, ru, cs, cu := median(rates[0]), median(rates[1]), median(cpus[0]), median(cpus[1])
	fmt.Printf("\nsigned: median %.0f movements/s, node CPU %.0f µs/movement; unsigned: %.0f/s, %.0f µs (runs %v / %v, %v / %v)\n",
		rs, cs, ru, cu, rounded(rates[0]), rounded(rates[1]), rounded(cpus[0]), rounded(cpus[1]))
	fmt.Printf("  throughput %+.1f%%, CPU per movement %+.1f%% (target: both within 5%%): %s\n",
		100*(rs/ru-1), 100*(cs/cu-1), verdict(rs >= 0.95*ru && cs <= 1.05*cu))
	return signCosts()
}

// signCosts prints the CPU one head signature, one verification and one
// entry's share of the digest chain take in this process.
func signCosts() error {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	pub := key.Public().(ed25519.PublicKey)
	const n = 2000
	digest := strings.Repeat("ab", 32)
	start := time.Now()
	var h stock.SignedHead
	for i := range n {
		h = trust.SignHead(key, "MAD-1", "epoch", int64(i), digest)
	}
	sign := time.Since(start) / n
	start = time.Now()
	for range n {
		if !trust.VerifyHead(pub, "MAD-1", "epoch", &h) {
			return fmt.Errorf("a head this bench signed does not verify")
		}
	}
	verify := time.Since(start) / n
	e := stock.LogEntry{Origin: "MAD-1", Seq: 1, At: time.Now().UTC(), Type: stock.EntryMovement,
		Movement: &stock.Movement{ID: "MAD-1:1", Warehouse: "MAD-1", Seq: 1, SKU: "SKU-1", Kind: stock.KindSale,
			Quantity: -1, Balance: 99, Reference: "ORD-1", Actor: "ana", CreatedAt: time.Now().UTC()}}
	d := stock.ResumeDigest([32]byte{})
	start = time.Now()
	for range 20 * n {
		if err := d.Add(&e); err != nil {
			return err
		}
	}
	chain := time.Since(start) / (20 * n)
	fmt.Printf("  per head: sign %v, verify %v (once per batch written, once per run applied); per entry: digest %v (written and applied)\n",
		sign.Round(100*time.Nanosecond), verify.Round(100*time.Nanosecond), chain.Round(10*time.Nanosecond))
	return nil
}

// buildUnsigned builds stockmeshd with the nosign tag into a temporary
// folder and returns its path and a cleanup.
func buildUnsigned() (string, func(), error) {
	dir, err := os.MkdirTemp("", "stockmesh-bench-nosign-")
	if err != nil {
		return "", nil, err
	}
	bin := filepath.Join(dir, "stockmeshd-nosign")
	cmd := exec.Command("go", "build", "-tags", "nosign", "-o", bin, "./server")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("building stockmeshd with the nosign tag: %w", err)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// median returns the median of xs.
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// rounded returns xs rounded to whole numbers, for printing.
func rounded(xs []float64) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x + 0.5)
	}
	return out
}
