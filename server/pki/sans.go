package pki

import (
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
)

// DefaultSANs returns the names every node certificate covers: localhost,
// 127.0.0.1, ::1 and, when known, the host name.
func DefaultSANs() []string {
	sans := []string{"localhost", "127.0.0.1", "::1"}
	if host, err := os.Hostname(); err == nil && host != "" {
		sans = append(sans, host)
	}
	return sans
}

// normalizeSANs trims, lower-cases and deduplicates names, writes IP
// addresses in canonical form and drops empty entries. It fails on names that
// are neither IP addresses nor plausible DNS names.
func normalizeSANs(sans []string) ([]string, error) {
	out := make([]string, 0, len(sans))
	for _, s := range sans {
		n, err := normalizeSAN(s)
		if err != nil {
			return nil, err
		}
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

func normalizeSAN(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", nil
	}
	if ip := net.ParseIP(s); ip != nil {
		return ip.String(), nil
	}
	if len(s) > 253 || strings.ContainsAny(s, " \t/:@[]\\") {
		return "", fmt.Errorf("%w: %q", ErrInvalidSAN, s)
	}
	return s, nil
}

// splitSANs separates normalized names into DNS names and IP addresses.
func splitSANs(sans []string) (dns []string, ips []net.IP) {
	for _, s := range sans {
		if ip := net.ParseIP(s); ip != nil {
			ips = append(ips, ip)
		} else {
			dns = append(dns, s)
		}
	}
	return dns, ips
}

// missingSANs returns the normalized names in sans that cert's subject
// alternative names do not list exactly.
func missingSANs(dnsNames []string, ipAddrs []net.IP, sans []string) []string {
	var missing []string
	for _, s := range sans {
		if ip := net.ParseIP(s); ip != nil {
			if !slices.ContainsFunc(ipAddrs, ip.Equal) {
				missing = append(missing, s)
			}
			continue
		}
		if !slices.ContainsFunc(dnsNames, func(d string) bool { return strings.EqualFold(d, s) }) {
			missing = append(missing, s)
		}
	}
	return missing
}
