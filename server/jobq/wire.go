package jobq

import (
	"encoding/binary"
	"syscall"

	zmq "github.com/pebbe/zmq4"
)

// The wire format. A client's DEALER sends [header, payload] where the header is the job id (8 bytes,
// big endian) followed by the Class; the worker's ROUTER sees [identity, header, payload] and answers
// [identity, header, payload] with the class byte replaced by a status.
const headerLen = 9

// Reply statuses carried in the last header byte.
const (
	statusOK          byte = 0
	statusUnavailable byte = 1
)

// envelope is one outgoing message: an optional ROUTER routing frame, a header and a payload; a
// client's request also points to the call waiting for its reply.
type envelope struct {
	route   []byte
	head    [headerLen]byte
	payload []byte
	call    *call
}

// putHeader writes id and the trailing class or status byte b into h.
func putHeader(h *[headerLen]byte, id uint64, b byte) {
	binary.BigEndian.PutUint64(h[:8], id)
	h[8] = b
}

// parseHeader reads a header frame; ok reports whether it has the right length.
func parseHeader(frame []byte) (id uint64, b byte, ok bool) {
	if len(frame) != headerLen {
		return 0, 0, false
	}
	return binary.BigEndian.Uint64(frame[:8]), frame[8], true
}

// send sends e on s without blocking. A DEALER with ZMQ_IMMEDIATE reports EAGAIN when no peer is
// connected; a ROUTER drops messages for unknown or saturated peers silently.
func (e *envelope) send(s *zmq.Socket) error {
	const more = zmq.SNDMORE | zmq.DONTWAIT
	if e.route != nil {
		if _, err := s.SendBytes(e.route, more); err != nil {
			return err
		}
	}
	if _, err := s.SendBytes(e.head[:], more); err != nil {
		return err
	}
	_, err := s.SendBytes(e.payload, zmq.DONTWAIT)
	return err
}

// isAgain reports whether err is EAGAIN: nothing to receive, or no room (or peer) to send to.
func isAgain(err error) bool {
	return zmq.AsErrno(err) == zmq.Errno(syscall.EAGAIN)
}

// recvMessage receives one whole message without blocking, reusing buf's backing array for the frame
// list (the frames themselves are fresh). It returns EAGAIN when no message is waiting.
func recvMessage(s *zmq.Socket, buf [][]byte) ([][]byte, error) {
	buf = buf[:0]
	for {
		f, err := s.RecvBytes(zmq.DONTWAIT)
		if err != nil {
			return buf[:0], err
		}
		buf = append(buf, f)
		more, err := s.GetRcvmore()
		if err != nil {
			return buf[:0], err
		}
		if !more {
			return buf, nil
		}
	}
}
