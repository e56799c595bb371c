package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// importLines is the size of the import part's catalogue: #25's 100,000
// lines (about 3 MB).
const importLines = 100_000

// importWriteEvery is how often the import part's writer records a
// movement beside the import.
const importWriteEvery = 20 * time.Millisecond

// importBench imports a catalogue of importLines new products with stock
// over REST (one request, with an Idempotency-Key) while a writer records
// a movement every 20 ms over GraphQL. It reports the import's time and
// answer, the longest a movement beside it waited and the node's peak RSS
// over it, against #25's targets (no other write waits over 1 s; RSS below
// 100 MiB), then sends the file again with its key.
func importBench(o options) error {
	n, tc, err := startLoadNode(o)
	if err != nil {
		return err
	}
	defer n.stop()
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: 10 * time.Minute}
	if err := n.seedProducts(c, 1); err != nil {
		return err
	}
	csv := catalogue(importLines)
	rest := rss(n.pid())
	var waits []time.Duration
	var status int
	var answer string
	var took time.Duration
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { waits = writeBeside(c, n, stop) })
	peak := watchRSS(n.pid(), 20*time.Millisecond, func() {
		start := time.Now()
		status, answer = importCSV(c, n, csv, "bench-catalogue")
		took = time.Since(start)
	})
	close(stop)
	wg.Wait()
	fmt.Printf("import: %d lines (%.1f MB) over REST beside a movement every %v over GraphQL\n", importLines, float64(len(csv))/1e6, importWriteEvery)
	fmt.Printf("  answered %d in %v: %s", status, took.Round(time.Millisecond), answer)
	slices.Sort(waits)
	longest := time.Duration(0)
	if len(waits) > 0 {
		longest = waits[len(waits)-1]
		fmt.Printf("  movements beside it: %d, wait p50 %v  p99 %v  max %v\n", len(waits),
			waits[len(waits)/2].Round(time.Millisecond), waits[len(waits)*99/100].Round(time.Millisecond), longest.Round(time.Millisecond))
	}
	fmt.Printf("  node RSS: %s at rest, %s peak over the import\n", mib(int(rest)), mib(int(peak)))
	start := time.Now()
	again, answer2 := importCSV(c, n, csv, "bench-catalogue")
	fmt.Printf("  sent again with its key: %d in %v, same answer: %v\n", again, time.Since(start).Round(time.Millisecond), answer2 == answer)
	verdict := "MET"
	if status != http.StatusOK || longest >= time.Second || peak >= 100<<20 {
		verdict = "NOT MET"
	}
	fmt.Printf("target (applied, no write waits >= 1 s, peak RSS < 100 MiB): %s\n\n", verdict)
	return nil
}

// catalogue returns a products CSV of lines new products with stock.
func catalogue(lines int) []byte {
	var b bytes.Buffer
	b.WriteString("sku,name,price,quantity,reorderPoint\n")
	for i := range lines {
		fmt.Fprintf(&b, "IMP-%06d,Imported %d,1.25,10,2\n", i, i)
	}
	return b.Bytes()
}

// importCSV posts csv to n's import with key, and returns the status and
// body.
func importCSV(c *http.Client, n *benchNode, csv []byte, key string) (int, string) {
	req, _ := http.NewRequest(http.MethodPost, n.base+"/api/v1/products/import", bytes.NewReader(csv))
	req.Header.Set("Authorization", "Bearer "+n.token)
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Idempotency-Key", key)
	resp, err := c.Do(req)
	if err != nil {
		return 0, err.Error() + "\n"
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// writeBeside records a movement on B-0 every importWriteEvery, each
// after the one before answered, until stop closes, and returns how long
// each took.
func writeBeside(c *http.Client, n *benchNode, stop <-chan struct{}) []time.Duration {
	var waits []time.Duration
	o := options{skus: 1}
	for i := 0; ; i++ {
		select {
		case <-stop:
			return waits
		case <-time.After(importWriteEvery):
		}
		start := time.Now()
		if _, ok := post(c, n.graphql(), n.token, movementBody(o, 0, i)); ok {
			waits = append(waits, time.Since(start))
		}
	}
}
