package jobq

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	zmq "github.com/pebbe/zmq4"
)

// ErrNoCurve is returned (wrapped) when Keys are given but libzmq was built without CURVE security.
var ErrNoCurve = errors.New("jobq: libzmq has no CURVE security (build it with libsodium)")

// Keypair is a CURVE key pair in Z85 text, as zmq_curve_keypair makes them.
type Keypair struct {
	Public string
	Secret string
}

// Keys authenticate the peers of a queue with ZeroMQ's CURVE security: the sides that bind (the Worker
// and the Publisher) hold Server, the sides that connect (Clients and Subscribers) hold Client and
// know Server.Public. A binding side accepts only peers that prove they hold Client.Secret; a
// connecting side talks only to a peer that holds Server.Secret. Traffic is encrypted as well.
type Keys struct {
	Server Keypair
	Client Keypair
}

// GenerateKeys returns fresh Keys.
func GenerateKeys() (Keys, error) {
	if !zmq.HasCurve() {
		return Keys{}, ErrNoCurve
	}
	var k Keys
	var err error
	if k.Server.Public, k.Server.Secret, err = zmq.NewCurveKeypair(); err != nil {
		return Keys{}, fmt.Errorf("generating CURVE keys: %w", err)
	}
	if k.Client.Public, k.Client.Secret, err = zmq.NewCurveKeypair(); err != nil {
		return Keys{}, fmt.Errorf("generating CURVE keys: %w", err)
	}
	return k, nil
}

// Check reports an error when a key is not 40 characters of Z85 or a public key does not belong to its
// secret key.
func (k Keys) Check() error {
	for _, p := range []struct {
		name string
		pair Keypair
	}{{"server", k.Server}, {"client", k.Client}} {
		if len(p.pair.Public) != 40 || len(p.pair.Secret) != 40 {
			return fmt.Errorf("checking CURVE keys: the %s keys are not 40 characters of Z85", p.name)
		}
		pub, err := zmq.AuthCurvePublic(p.pair.Secret)
		if err != nil {
			return fmt.Errorf("checking CURVE keys: the %s secret key: %w", p.name, err)
		}
		if pub != p.pair.Public {
			return fmt.Errorf("checking CURVE keys: the %s public key does not match its secret key", p.name)
		}
	}
	return nil
}

// withCurveServer makes a binding socket a CURVE server that admits only k's client (nil k: no
// security, for inproc:// or a caller that secures the address otherwise).
func withCurveServer(k *Keys) sockOpt {
	return func(s *zmq.Socket) error {
		if k == nil {
			return nil
		}
		domain, err := zapAllow(k.Client.Public)
		if err != nil {
			return err
		}
		return s.ServerAuthCurve(domain, k.Server.Secret)
	}
}

// withCurveClient makes a connecting socket a CURVE client of k's server (nil k: no security).
func withCurveClient(k *Keys) sockOpt {
	return func(s *zmq.Socket) error {
		if k == nil {
			return nil
		}
		if !zmq.HasCurve() {
			return ErrNoCurve
		}
		return s.ClientAuthCurve(k.Server.Public, k.Client.Public, k.Client.Secret)
	}
}

// zapAddr is where libzmq asks a ZAP handler (RFC 27) whether to admit a peer; one per zmq context,
// so one per process.
const zapAddr = "inproc://zeromq.zap.01"

// zap is the process's ZAP handler. It is process-wide state because libzmq has one ZAP endpoint per
// context and pebbe/zmq4 uses one context per process; pebbe's own handler keeps its key lists in maps
// it reads unlocked, so keys could not be added while it runs.
var zap struct {
	once    sync.Once
	err     error
	mu      sync.Mutex
	allowed map[string]bool // domains: "stockmesh-" and the one client public key it admits
	refused atomic.Uint64
}

// zapAllow starts the ZAP handler if needed and returns the ZAP domain that admits exactly the client
// holding the secret key of clientPublic.
func zapAllow(clientPublic string) (string, error) {
	if !zmq.HasCurve() {
		return "", ErrNoCurve
	}
	zap.once.Do(func() { zap.err = startZAP() })
	if zap.err != nil {
		return "", zap.err
	}
	domain := "stockmesh-" + clientPublic
	zap.mu.Lock()
	zap.allowed[domain] = true
	zap.mu.Unlock()
	return domain, nil
}

// ZAPRefused returns how many connections the process's CURVE sockets refused for a wrong key.
func ZAPRefused() uint64 { return zap.refused.Load() }

// startZAP binds the ZAP endpoint and answers it in a goroutine that lives as long as the process.
func startZAP() error {
	s, err := zmq.NewSocket(zmq.REP)
	if err != nil {
		return fmt.Errorf("creating ZAP handler: %w", err)
	}
	if err := s.Bind(zapAddr); err != nil {
		s.Close()
		return fmt.Errorf("binding ZAP handler: %w", err)
	}
	zap.allowed = map[string]bool{}
	go serveZAP(s)
	return nil
}

// serveZAP answers ZAP requests on s for ever: 200 for a CURVE client whose key its domain admits,
// 400 for anything else.
func serveZAP(s *zmq.Socket) {
	for {
		req, err := s.RecvMessage(0)
		if err != nil {
			if zmq.AsErrno(err) == zmq.ETERM {
				return
			}
			continue
		}
		status, text := "400", "not allowed"
		if zapAdmits(req) {
			status, text = "200", "OK"
		} else {
			zap.refused.Add(1)
		}
		id := ""
		if len(req) > 1 {
			id = req[1]
		}
		_, _ = s.SendMessage("1.0", id, status, text, "", "")
	}
}

// zapAdmits reports whether a ZAP request (version, request id, domain, address, identity, mechanism,
// credentials) is a CURVE client whose public key its domain admits.
func zapAdmits(req []string) bool {
	if len(req) < 7 || req[0] != "1.0" || req[5] != "CURVE" || len(req[6]) != 32 {
		return false
	}
	domain, key := req[2], zmq.Z85encode(req[6])
	zap.mu.Lock()
	defer zap.mu.Unlock()
	return zap.allowed[domain] && strings.TrimPrefix(domain, "stockmesh-") == key
}
